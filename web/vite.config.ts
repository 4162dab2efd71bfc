// The storefront's build: Preact's JSX through esbuild (no plugin needed), hashed files under
// dist/assets (the gateway caches those for a year and revalidates index.html).
import { defineConfig } from "vite";

// `npm run dev` proxies the platform's endpoints to a running `hph up`.
const platform = process.env.HPH_REST ?? "http://127.0.0.1:8080";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { target: "es2020", outDir: "dist", emptyOutDir: true, reportCompressedSize: true },
  server: { proxy: { "/api": platform, "/auth": platform, "/dev": platform } },
});
