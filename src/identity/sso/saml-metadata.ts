import { DOMParser } from '@xmldom/xmldom';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const MAX_METADATA_CHARS = 512 * 1024;

export interface ImportedIdpMetadata {
  entityId: string;
  ssoUrl: string;
  signingCerts: string[];
}

/**
 * Reads what we need from IdP metadata (SAML 2.0 metadata, one EntityDescriptor with an
 * IDPSSODescriptor): entity id, the HTTP-Redirect SingleSignOnService URL and the signing
 * certificates (KeyDescriptor use="signing" or without use). DOCTYPEs are refused (no entity tricks).
 */
export function parseIdpMetadata(xml: string): ImportedIdpMetadata {
  if (xml.length > MAX_METADATA_CHARS) throw new Error('the IdP metadata is larger than 512 KiB');
  if (/<!DOCTYPE/i.test(xml)) throw new Error('IdP metadata with a DOCTYPE is refused');
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m: string) => errors.push(m), fatalError: (m: string) => errors.push(m), warning: () => undefined } })
    .parseFromString(xml, 'text/xml');
  if (errors.length > 0 || !doc?.documentElement) throw new Error(`the IdP metadata is not well-formed XML${errors[0] ? `: ${errors[0]}` : ''}`);
  const root = doc.documentElement;
  const entity = root.localName === 'EntityDescriptor' && root.namespaceURI === MD ? root : root.getElementsByTagNameNS(MD, 'EntityDescriptor')[0];
  if (!entity) throw new Error('no md:EntityDescriptor in the IdP metadata');
  const entityId = entity.getAttribute('entityID');
  if (!entityId) throw new Error('the EntityDescriptor has no entityID');
  const idp = entity.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  if (!idp) throw new Error('no md:IDPSSODescriptor in the IdP metadata');
  let ssoUrl: string | null = null;
  const services = idp.getElementsByTagNameNS(MD, 'SingleSignOnService');
  for (let i = 0; i < services.length; i += 1) {
    if (services[i].getAttribute('Binding') === REDIRECT) { ssoUrl = services[i].getAttribute('Location'); break; }
  }
  if (!ssoUrl || !/^https?:\/\//.test(ssoUrl)) throw new Error('the IdP metadata has no HTTP-Redirect SingleSignOnService location');
  const signingCerts: string[] = [];
  const keys = idp.getElementsByTagNameNS(MD, 'KeyDescriptor');
  for (let i = 0; i < keys.length; i += 1) {
    const use = keys[i].getAttribute('use');
    if (use && use !== 'signing') continue;
    const certs = keys[i].getElementsByTagNameNS(DS, 'X509Certificate');
    for (let j = 0; j < certs.length; j += 1) {
      const text = (certs[j].textContent ?? '').replace(/\s+/g, '');
      if (text) signingCerts.push(text);
    }
  }
  if (signingCerts.length === 0) throw new Error('the IdP metadata has no signing certificate');
  return { entityId, ssoUrl, signingCerts: [...new Set(signingCerts)] };
}
