/** The IdP answered, but the answer does not let this user in (missing e-mail, bad assertion, replay, …). */
export class SsoRefusal extends Error {
  constructor(message: string, readonly code = 'sso_refused') {
    super(message);
    this.name = 'SsoRefusal';
  }
}
