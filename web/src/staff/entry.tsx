// The staff console's door, the only part of it in the storefront's main bundle. The router's
// guard has already checked the role (main.tsx registers /staff pages with role "staff"); this
// loads the console, chart library included, as a chunk of its own, so shoppers never download it.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";

import { auth } from "../auth";
import { Loading } from "../ui";

type Console = (props: { path: string }) => JSX.Element;

let loaded: Console | null = null;

export function StaffEntry(): JSX.Element {
  const [Console, setConsole] = useState<Console | null>(() => loaded);
  const [failed, setFailed] = useState("");
  useEffect(() => {
    if (Console) return;
    import("./console").then(
      (module) => {
        loaded = module.StaffConsole;
        setConsole(() => module.StaffConsole);
      },
      (cause: unknown) => setFailed(String((cause as Error)?.message ?? cause)),
    );
  }, [Console]);
  if (failed) {
    return (
      <section class="page">
        <h1>Staff console</h1>
        <p role="alert">The staff console did not load ({failed}). Reload the page to try again.</p>
      </section>
    );
  }
  if (!Console || !auth.session()) return <Loading what="the staff console" />;
  return <Console path={location.pathname} />;
}
