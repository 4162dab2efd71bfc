// Sign-in. On the embedded defaults: pick a demo user and the platform's local development issuer
// mints a token (clearly marked as development only). With Entra ID configured: Microsoft's sign-in
// page through MSAL's redirect flow, back here to finish.
import { useEffect, useState } from "preact/hooks";

import { api, call } from "../api";
import { authConfig, devSignIn, entraRedirectResult, entraSignIn, type DemoUser } from "../auth";
import { navigate, useLocation } from "../router";
import { ErrorNote, Loading, useLoad } from "../ui";

const ROLE_LABEL = { customer: "Shopper", staff: "Staff", admin: "Admin" } as const;

export function SignIn() {
  const { query } = useLocation();
  const next = query.get("next") ?? "/";
  const config = useLoad(authConfig, []);
  const [busy, setBusy] = useState("");
  const [error, setError] = useState<unknown>(null);

  const safeNext = (to: string) => (to.startsWith("/") && !to.startsWith("//") ? to : "/");

  // Back from Microsoft: MSAL reads the answer from the URL and the session starts here.
  useEffect(() => {
    const loaded = config.data;
    if (loaded?.mode !== "entra" || !location.hash) return;
    setBusy("entra");
    entraRedirectResult(loaded).then(
      (done) => done && navigate(safeNext(done.next), true),
      (failure: unknown) => setError(failure),
    ).finally(() => setBusy(""));
  }, [config.data]);

  async function choose(user: DemoUser, tokenPath: string) {
    setBusy(user.sub);
    setError(null);
    try {
      await devSignIn(user, tokenPath);
      if (user.role === "customer") {
        // First sign-in creates the profile; a profile that exists already is fine.
        await call(api.POST("/api/auth/register", { body: {} })).catch((failure: unknown) => {
          if ((failure as { status?: number }).status !== 409) throw failure;
        });
      }
      navigate(safeNext(next), true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy("");
    }
  }

  return (
    <section class="page narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      {query.get("expired") && (
        <p class="notice" role="status">
          Your session ended or was not accepted. Please sign in again to continue.
        </p>
      )}
      {config.loading && <Loading what="sign-in options" />}
      <ErrorNote error={config.error ?? error} onRetry={config.error ? config.reload : undefined} />
      {config.data?.mode === "dev" && (
        <>
          <p class="dev-banner" role="note">
            <strong>Development only.</strong> This platform runs on its embedded defaults: choose a demo user and
            the local development issuer signs a token for them. A deployment with Entra ID never offers this.
          </p>
          <ul class="demo-users">
            {config.data.demo_users.map((user) => (
              <li key={user.sub}>
                <button
                  type="button"
                  disabled={busy !== ""}
                  onClick={() => config.data?.mode === "dev" && void choose(user, config.data.token_path)}
                >
                  <span class="who">{user.name}</span>
                  <span class="role">{ROLE_LABEL[user.role]}</span>
                  <span class="email">{user.email}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {config.data?.mode === "entra" && (
        <>
          <p>This store signs you in with your Microsoft account (Entra ID).</p>
          <button
            type="button"
            disabled={busy !== ""}
            onClick={() => {
              if (config.data?.mode !== "entra") return;
              setBusy("entra");
              setError(null);
              entraSignIn(config.data, next).catch((failure: unknown) => {
                setError(failure);
                setBusy("");
              });
            }}
          >
            {busy === "entra" ? "Signing in…" : "Sign in with Microsoft"}
          </button>
        </>
      )}
      {config.data?.mode === "none" && (
        <p>No sign-in is configured on this platform: set an Entra tenant or enable the development issuer.</p>
      )}
    </section>
  );
}
