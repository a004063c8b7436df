// Bodies of the identity URL (`{login}/id/<org>/<user>`) and of the OpenID UserInfo endpoint
// (`/services/oauth2/userinfo`), with the keys and URL templates real orgs return.

export interface IdentityUser {
  readonly orgId: string;
  readonly userId: string;
  readonly username: string;
  readonly email: string;
  readonly displayName: string;
  /** ISO 8601 without milliseconds, e.g. `2019-08-27T00:26:52Z`. */
  readonly lastModified: string;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** `2019-08-27T00:26:52Z`: the form Salesforce uses for last_modified_date / updated_at. */
export function identityDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The identity URL: `{login}/id/<18-char org id>/<18-char user id>`. */
export function identityUrl(loginUrl: string, orgId: string, userId: string): string {
  return `${trimSlash(loginUrl)}/id/${orgId}/${userId}`;
}

/**
 * The `urls` object. Without a version the templates keep the literal `{version}` (as Salesforce does when the
 * request has no `version` parameter); SOAP endpoints carry the 15-character org id.
 */
export function identityUrls(instanceUrl: string, orgId: string, userId: string, version?: string): Record<string, string> {
  const base = trimSlash(instanceUrl);
  const v = version ?? '{version}';
  const org15 = orgId.slice(0, 15);
  const data = `${base}/services/data/v${v}`;
  return {
    enterprise: `${base}/services/Soap/c/${v}/${org15}`,
    metadata: `${base}/services/Soap/m/${v}/${org15}`,
    partner: `${base}/services/Soap/u/${v}/${org15}`,
    rest: `${data}/`,
    sobjects: `${data}/sobjects/`,
    search: `${data}/search/`,
    query: `${data}/query/`,
    recent: `${data}/recent/`,
    tooling_soap: `${base}/services/Soap/T/${v}/${org15}`,
    tooling_rest: `${data}/tooling/`,
    profile: `${base}/${userId}`,
    feeds: `${data}/chatter/feeds`,
    groups: `${data}/chatter/groups`,
    users: `${data}/chatter/users`,
    feed_items: `${data}/chatter/feed-items`,
    feed_elements: `${data}/chatter/feed-elements`,
    custom_domain: base,
  };
}

function names(displayName: string): { first: string | null; last: string } {
  const name = displayName.trim();
  const i = name.lastIndexOf(' ');
  return i < 0 ? { first: null, last: name } : { first: name.slice(0, i), last: name.slice(i + 1) };
}

function nickname(username: string): string {
  const at = username.indexOf('@');
  return at > 0 ? username.slice(0, at) : username;
}

function photos(instanceUrl: string): { picture: string; thumbnail: string } {
  const base = trimSlash(instanceUrl);
  return { picture: `${base}/profilephoto/005/F`, thumbnail: `${base}/profilephoto/005/T` };
}

/** `GET {login}/id/<org>/<user>`. */
export function identityBody(u: IdentityUser, loginUrl: string, instanceUrl: string, version?: string): Record<string, unknown> {
  const n = names(u.displayName);
  return {
    id: identityUrl(loginUrl, u.orgId, u.userId),
    asserted_user: true,
    user_id: u.userId,
    organization_id: u.orgId,
    username: u.username,
    nick_name: nickname(u.username),
    display_name: u.displayName,
    email: u.email,
    email_verified: true,
    first_name: n.first,
    last_name: n.last,
    timezone: 'GMT',
    photos: photos(instanceUrl),
    addr_street: null,
    addr_city: null,
    addr_state: null,
    addr_country: 'US',
    addr_zip: null,
    mobile_phone: null,
    mobile_phone_verified: false,
    is_lightning_login_user: false,
    status: { created_date: null, body: null },
    urls: identityUrls(instanceUrl, u.orgId, u.userId, version),
    active: true,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: 0,
    last_modified_date: u.lastModified,
    is_app_installed: true,
  };
}

/** `GET /services/oauth2/userinfo` (OpenID Connect claims plus Salesforce's own). */
export function userinfoBody(u: IdentityUser, loginUrl: string, instanceUrl: string, version?: string): Record<string, unknown> {
  const n = names(u.displayName);
  const p = photos(instanceUrl);
  return {
    sub: identityUrl(loginUrl, u.orgId, u.userId),
    user_id: u.userId,
    organization_id: u.orgId,
    preferred_username: u.username,
    nickname: nickname(u.username),
    name: u.displayName,
    email: u.email,
    email_verified: true,
    given_name: n.first,
    family_name: n.last,
    zoneinfo: 'GMT',
    photos: p,
    profile: `${trimSlash(instanceUrl)}/${u.userId}`,
    picture: p.picture,
    address: { country: 'US' },
    is_salesforce_integration_user: false,
    urls: identityUrls(instanceUrl, u.orgId, u.userId, version),
    active: true,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: 0,
    updated_at: u.lastModified,
    is_app_installed: true,
  };
}
