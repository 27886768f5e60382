import * as saml from 'samlify';
import * as validator from '@authenio/samlify-node-xmllint';
import selfsigned from 'selfsigned';

/**
 * A SAML 2.0 identity provider built with samlify, signing with a selfsigned key. It answers
 * the AuthnRequest found in a redirect URL with a signed assertion; tests may override template
 * values (audience, recipient, times …) before signing or rewrite the XML after signing.
 */
saml.setSchemaValidator(validator);

const TEMPLATE = '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}">'
  + '<saml:Issuer>{Issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="{StatusCode}"/></samlp:Status>'
  + '<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}">'
  + '<saml:Issuer>{Issuer}</saml:Issuer>'
  + '<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{NameID}</saml:NameID>'
  + '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{SubjectConfirmationDataNotOnOrAfter}" Recipient="{SubjectRecipient}" InResponseTo="{InResponseTo}"/></saml:SubjectConfirmation></saml:Subject>'
  + '<saml:Conditions NotBefore="{ConditionsNotBefore}" NotOnOrAfter="{ConditionsNotOnOrAfter}"><saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>'
  + '<saml:AuthnStatement AuthnInstant="{IssueInstant}" SessionIndex="{AssertionID}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>'
  + '<saml:AttributeStatement>{Attributes}</saml:AttributeStatement>'
  + '</saml:Assertion></samlp:Response>';

export interface SamlUser { email: string; name?: string; groups: string[] }
export interface SamlAnswer { SAMLResponse: string; RelayState: string }
export interface AnswerOptions {
  /** Template values replaced before signing (e.g. Audience, SubjectRecipient, ConditionsNotOnOrAfter). */
  values?: Record<string, string>;
  /** XML rewrite after signing (tampering, signature wrapping). */
  rewrite?: (xml: string) => string;
  /** Answer to this request id instead of the one in the redirect (unsolicited / foreign). */
  inResponseTo?: string;
}

export interface SamlIdp {
  entityId: string;
  ssoUrl: string;
  metadata: string;
  certPem: string;
  answer(redirectLocation: string, user: SamlUser, options?: AnswerOptions): Promise<SamlAnswer>;
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function attribute(name: string, values: string[]): string {
  return `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`;
}

export async function createSamlIdp(spEntityId: string, acsUrl: string, entityId = 'https://idp.example.test/saml'): Promise<SamlIdp> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'idp.example.test' }], { keySize: 2048, notAfterDate: new Date(Date.now() + 2 * 86_400_000) });
  const ssoUrl = 'https://idp.example.test/sso';
  const idp = saml.IdentityProvider({
    entityID: entityId, privateKey: pems.private, signingCert: pems.cert, isAssertionEncrypted: false, wantAuthnRequestsSigned: false,
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
    singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: ssoUrl }],
    loginResponseTemplate: { context: TEMPLATE, attributes: [] },
  });
  const sp = saml.ServiceProvider({
    entityID: spEntityId, wantAssertionsSigned: true, authnRequestsSigned: false,
    assertionConsumerService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: acsUrl }],
  });
  return {
    entityId, ssoUrl, metadata: idp.getMetadata(), certPem: pems.cert,
    async answer(redirectLocation, user, options = {}) {
      const url = new URL(redirectLocation);
      const query = Object.fromEntries(url.searchParams);
      const parsed = await idp.parseLoginRequest(sp, 'redirect', { query, octetString: '' } as never);
      const requestId = options.inResponseTo ?? (parsed.extract as { request: { id: string } }).request.id;
      const now = Date.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      const response = await idp.createLoginResponse(sp, { extract: { request: { id: requestId } } } as never, 'post', { email: user.email }, (template: string) => {
        const id = `_${Math.random().toString(36).slice(2)}${now}`;
        const values: Record<string, string> = {
          ID: id, AssertionID: `_a${id}`, Destination: acsUrl, Audience: spEntityId, SubjectRecipient: acsUrl, Issuer: entityId,
          IssueInstant: iso(now), StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success', ConditionsNotBefore: iso(now - 60_000),
          ConditionsNotOnOrAfter: iso(now + 300_000), SubjectConfirmationDataNotOnOrAfter: iso(now + 300_000), NameID: escapeXml(user.email),
          InResponseTo: requestId,
          Attributes: attribute('email', [user.email]) + attribute('name', [user.name ?? user.email]) + attribute('groups', user.groups),
          ...options.values,
        };
        return { id, context: template.replace(/\{(\w+)\}/g, (_m, key: string) => values[key] ?? '') };
      });
      let xml = Buffer.from(response.context, 'base64').toString('utf8');
      if (options.rewrite) xml = options.rewrite(xml);
      return { SAMLResponse: Buffer.from(xml, 'utf8').toString('base64'), RelayState: url.searchParams.get('RelayState') ?? '' };
    },
  };
}
