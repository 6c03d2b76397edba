// A real OpenID Connect provider for the browser tests (issue 13, item 5): the npm
// package `oidc-provider`, standing in for the municipality's identity broker
// (Context Handler / MitID Erhverv). Opsøg talks to it exactly as to the broker:
// discovery, the authorisation-code flow with PKCE, a signed ID token with the
// assurance level (`acr`) and the organisation's CVR number.
//
// Who logs in is chosen by the test (`idp.next = {...}`) rather than typed into a
// form: the provider's interaction ends at once with that person, at that assurance
// level, with the consent given.

import http from 'node:http';

import Provider from 'oidc-provider';

export const SUBSTANTIAL = 'https://data.gov.dk/concept/core/nsis/loa/Substantial';
export const LOW = 'https://data.gov.dk/concept/core/nsis/loa/Low';
export const CVR_CLAIM = 'https://data.gov.dk/model/core/eid/professional/cvr';
/// The demo municipality's CVR number (Søby Kommune, as its pages' footer says).
export const OUR_CVR = '12345678';
export const CLIENT_ID = 'opsog';
export const CLIENT_SECRET = 'browser-test-client-secret';

/// Starts the provider on `port`; `redirectUri` is Opsøg's callback.
export async function startIdp(port, redirectUri) {
  const issuer = `http://127.0.0.1:${port}`;
  const idp = {
    issuer,
    // Who the next login is: a username, her organisation's CVR number, the level.
    next: { username: 'koordinator', cvr: OUR_CVR, acr: SUBSTANTIAL },
    server: null,
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    acrValues: [SUBSTANTIAL, LOW],
    claims: { openid: ['sub'], profile: ['preferred_username', CVR_CLAIM] },
    // The broker puts her profile in the ID token itself.
    conformIdTokenClaims: false,
    cookies: { keys: ['opsog-browser-test-cookie-key'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const who = idp.next;
      return {
        accountId: sub,
        async claims() {
          return { sub, preferred_username: who.username, [CVR_CLAIM]: who.cvr };
        },
      };
    },
  });
  provider.use(async (ctx, next) => {
    const match = ctx.path.match(/^\/interaction\/([^/]+)$/);
    if (!match) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const who = idp.next;
    const accountId = `${who.username}@${who.cvr}`;
    const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
    grant.addOIDCScope('openid profile');
    grant.addOIDCClaims(['preferred_username', CVR_CLAIM]);
    const grantId = await grant.save();
    const result = { login: { accountId, acr: who.acr }, consent: { grantId } };
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
    return undefined;
  });
  idp.server = http.createServer(provider.callback());
  await new Promise((resolve, reject) => {
    idp.server.once('error', reject);
    idp.server.listen(port, '127.0.0.1', resolve);
  });
  return idp;
}

export async function stopIdp(idp) {
  if (idp?.server) await new Promise((resolve) => idp.server.close(resolve));
}

/// The `[sso]` section of Opsøg's configuration for this provider.
export function ssoConfig(idp) {
  return [
    '[sso]',
    `issuer = "${idp.issuer}"`,
    `client_id = "${CLIENT_ID}"`,
    `client_secret = "${CLIENT_SECRET}"`,
    `accepted_acr = ["${SUBSTANTIAL}"]`,
    `organisation_claim = "${CVR_CLAIM}"`,
    `organisation = "${OUR_CVR}"`,
    '',
  ].join('\n');
}
