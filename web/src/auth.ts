// Who is signed in: the bearer token and what the page shows of its holder, kept in sessionStorage
// (a tab's sign-in ends with the tab). Sign-in itself asks the gateway (`/auth/config`): on the
// embedded defaults it mints a dev token for a demo user (`POST /dev/token`); with Entra ID it
// redirects to Microsoft through MSAL (@azure/msal-browser, loaded only then). These two endpoints
// belong to the gateway, not the contracts, so they are the only shapes written by hand here.

export type Role = "customer" | "staff" | "admin";

export interface Session {
  token: string;
  sub: string;
  name: string;
  role: Role;
  expiresAt: number;
}

export interface DemoUser {
  sub: string;
  name: string;
  email: string;
  role: Role;
}

export type AuthConfig =
  | { mode: "dev"; demo_users: DemoUser[]; token_path: string }
  | { mode: "entra"; tenant_id: string; client_id: string; authority: string }
  | { mode: "none" };

const KEY = "hph.session";
const listeners = new Set<() => void>();
let current: Session | null = read();

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const session = raw ? (JSON.parse(raw) as Session) : null;
    return session && session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

function publish(session: Session | null): void {
  current = session;
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

export const auth = {
  session(): Session | null {
    if (current && current.expiresAt <= Date.now()) publish(null);
    return current;
  },
  token(): string | null {
    return auth.session()?.token ?? null;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  signOut(): void {
    publish(null);
  },
  set(session: Session): void {
    publish(session);
  },
};

/** Ranks roles as the platform does: admin includes staff, staff includes customer. */
export function hasRole(session: Session | null, needed: Role): boolean {
  const rank: Record<Role, number> = { customer: 1, staff: 2, admin: 3 };
  return session !== null && rank[session.role] >= rank[needed];
}

export async function authConfig(): Promise<AuthConfig> {
  const answer = await fetch("/auth/config");
  if (!answer.ok) throw new Error(`the sign-in configuration did not load (HTTP ${answer.status})`);
  return (await answer.json()) as AuthConfig;
}

/** A dev token for a demo user; only the local development issuer answers this. */
export async function devSignIn(user: DemoUser, tokenPath: string): Promise<Session> {
  const answer = await fetch(tokenPath, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sub: user.sub }),
  });
  const body = (await answer.json()) as { access_token?: string; expires_in?: number; role?: Role; message?: string };
  if (!answer.ok || !body.access_token) throw new Error(body.message ?? `sign-in failed (HTTP ${answer.status})`);
  const session: Session = {
    token: body.access_token,
    sub: user.sub,
    name: user.name,
    role: body.role ?? user.role,
    expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 - 30_000,
  };
  auth.set(session);
  return session;
}

type EntraConfig = Extract<AuthConfig, { mode: "entra" }>;

/** The MSAL application for the configured tenant; the library is fetched only when Entra is used. */
async function msal(config: EntraConfig) {
  const { PublicClientApplication } = await import("@azure/msal-browser");
  const app = new PublicClientApplication({
    auth: { clientId: config.client_id, authority: config.authority, redirectUri: `${location.origin}/signin` },
    cache: { cacheLocation: "sessionStorage" },
  });
  await app.initialize();
  return app;
}

/** The API scope: tokens for the platform's own app registration (audience = its client id). */
function scopes(config: EntraConfig): string[] {
  return [`${config.client_id}/.default`];
}

/** Leaves for Microsoft's sign-in page; `next` comes back as the redirect's state. */
export async function entraSignIn(config: EntraConfig, next: string): Promise<void> {
  const app = await msal(config);
  await app.loginRedirect({ scopes: scopes(config), state: next });
}

/** After Microsoft sent the browser back to /signin: the session, and where to go next. */
export async function entraRedirectResult(config: EntraConfig): Promise<{ next: string } | null> {
  const app = await msal(config);
  const result = await app.handleRedirectPromise();
  if (!result?.accessToken) return null;
  const claims = JSON.parse(atob(result.accessToken.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as {
    roles?: string[];
    sub?: string;
    oid?: string;
  };
  const roles = claims.roles ?? [];
  const role: Role = roles.includes("admin") ? "admin" : roles.includes("staff") ? "staff" : "customer";
  auth.set({
    token: result.accessToken,
    sub: claims.oid ?? claims.sub ?? result.account.localAccountId,
    name: result.account.name ?? result.account.username,
    role,
    expiresAt: (result.expiresOn?.getTime() ?? Date.now() + 3_600_000) - 30_000,
  });
  return { next: result.state ?? "/" };
}
