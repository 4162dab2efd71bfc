// A small history-API router: routes are patterns with `:params`, each with the role it needs.
// Signed-out visitors of a guarded page go to sign-in and come back; a signed-in person without
// the role sees why. The staff console adds its pages to `routes` (main.tsx) under /staff with
// role "staff" or "admin": the guard, the API layer and the error views are shared.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useState } from "preact/hooks";

import type { Role } from "./auth";

export interface RouteDef {
  path: string;
  view: (params: Record<string, string>) => JSX.Element;
  /** The role a page needs; none for pages anyone may see. */
  role?: Role;
}

const listeners = new Set<() => void>();

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  window.scrollTo(0, 0);
  for (const listener of listeners) listener();
}

addEventListener("popstate", () => {
  for (const listener of listeners) listener();
});

/** The current location, re-rendering on every navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((tick) => tick + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

export function match(routes: RouteDef[], path: string): { route: RouteDef; params: Record<string, string> } | null {
  const parts = path.replace(/\/+$/, "").split("/").slice(1);
  for (const route of routes) {
    const pattern = route.path === "/" ? [] : route.path.split("/").slice(1);
    if (pattern.length !== (path === "/" ? 0 : parts.length)) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((segment, index) => {
      const part = parts[index] ?? "";
      if (segment.startsWith(":")) {
        params[segment.slice(1)] = decodeURIComponent(part);
        return part !== "";
      }
      return segment === part;
    });
    if (ok) return { route, params };
  }
  return null;
}

export function Link(props: { href: string; class?: string; children: ComponentChildren; "aria-current"?: "page" }) {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props["aria-current"]}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
