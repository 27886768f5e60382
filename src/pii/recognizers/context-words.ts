/**
 * Context words per entity type (English, German, French, Spanish, Japanese, plus the usual abbreviations).
 * A word near a candidate raises its score; for weak shapes (bare nine digits, 40-char base64) it is required.
 */
import { contextMatcher } from '../scan/context';

export const CONTEXT = {
  PHONE_NUMBER: contextMatcher([
    'phone', 'tel', 'mobile', 'cell', 'call', 'fax', 'whatsapp', 'sms', 'contact', 'reach',
    'telefon', 'handy', 'rufnummer', 'anrufen', 'téléphone', 'portable', 'appel', 'teléfono', 'telefono',
    'móvil', 'movil', 'celular', 'llamar', '電話', '携帯', '連絡', 'ファックス',
  ]),
  CREDIT_CARD: contextMatcher([
    'card', 'credit', 'debit', 'visa', 'mastercard', 'amex', 'american express', 'discover', 'jcb', 'diners',
    'maestro', 'unionpay', 'cc', 'pan', 'karte', 'kreditkarte', 'carte', 'bancaire', 'tarjeta', 'crédito',
    'credito', 'カード', 'クレジット',
  ]),
  US_SSN: contextMatcher(['ssn', 'social security', 'social sec', 'ss#', 'ss #', 'ssa', 'taxpayer', 'tin']),
  UK_NHS: contextMatcher(['nhs', 'national health', 'health service', 'patient', 'chi number']),
  DE_TAX_ID: contextMatcher([
    'steuer-id', 'steuerid', 'steuer id', 'steuer-identifikationsnummer', 'steueridentifikationsnummer',
    'identifikationsnummer', 'idnr', 'tin', 'tax id', 'tax identification', 'steuernummer',
  ]),
  IN_AADHAAR: contextMatcher(['aadhaar', 'aadhar', 'adhaar', 'uidai', 'uid', 'आधार']),
  AU_TFN: contextMatcher(['tfn', 'tax file', 'australian tax', 'ato']),
  CA_SIN: contextMatcher([
    'sin', 'social insurance', 'insurance number', 'nas', "numéro d'assurance sociale", 'assurance sociale',
  ]),
  ES_NIF: contextMatcher(['nif', 'dni', 'documento nacional', 'identificación fiscal', 'identificacion fiscal']),
  ES_NIE: contextMatcher(['nie', 'extranjero', 'identidad de extranjero']),
  IT_FISCAL_CODE: contextMatcher(['codice fiscale', 'cod. fiscale', 'c.f.', 'cf', 'fiscal code', 'tax code']),
  IBAN_CODE: contextMatcher(['iban', 'bank', 'account', 'konto', 'compte', 'cuenta', 'virement', 'überweisung', '口座']),
  IP_ADDRESS: contextMatcher(['ip', 'address', 'host', 'server', 'client', 'remote', 'addr', 'gateway', 'subnet']),
  CRYPTO: contextMatcher(['bitcoin', 'btc', 'wallet', 'ethereum', 'eth', 'crypto', 'address']),
  /** Words that make a number something else (an order, a tracking number, a version). */
  NOT_PERSONAL: contextMatcher([
    'order', 'invoice', 'tracking', 'shipment', 'parcel', 'reference', 'ref', 'ticket', 'case #', 'sku', 'isbn',
    'bestellnummer', 'bestellung', 'rechnung', 'sendungsnummer', 'commande', 'facture', 'suivi', 'pedido',
    'factura', 'seguimiento', '注文', '追跡', '請求',
  ]),
  VERSION: contextMatcher([
    'version', 'ver.', 'ver ', 'release', 'build', 'firmware', 'v.', 'version:', 'versión', 'versão', 'バージョン',
    'update', 'patch', 'sdk', 'api level', 'chrome/', 'firefox/', 'safari/', 'os x', 'upgrade', 'upgraded',
    'upgrading', 'upgrades', 'downgrade', 'downgraded', 'bump', 'bumps', 'bumped', 'pinned', 'pin', 'rollback',
    'rolled back', 'changelog', 'aktualisiert', 'mise à jour', 'actualizado', 'actualización',
  ]),
} as const;
