import path from "node:path";
import { fileURLToPath } from "node:url";
import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), "src");

/** Where a file sits: a feature (by name), the app's pages and shell, or shared code. */
function layerOf(file) {
  const [top, second] = path.relative(src, file).split(path.sep);
  if (top === "features" && second) return { layer: "feature", feature: second };
  if (top === "app" || top === "App.tsx" || top === "main.tsx") return { layer: "app" };
  return { layer: "shared" };
}

/**
 * Imports go one way: the app composes features, features use shared code (api, components,
 * lib), and shared code uses neither. A feature never imports another feature: what two
 * features need moves to shared code, and pages that show several features live in `app/`.
 */
const boundaries = {
  rules: {
    "no-cross-feature-imports": {
      meta: { type: "problem", schema: [] },
      create(context) {
        const from = layerOf(context.filename);
        if (from.layer === "app" || !path.resolve(context.filename).startsWith(src + path.sep)) return {};
        function check(node) {
          const spec = node.source?.value;
          if (typeof spec !== "string" || !spec.startsWith(".")) return;
          const to = layerOf(path.resolve(path.dirname(context.filename), spec));
          let reason = null;
          if (from.layer === "feature" && to.layer === "feature" && to.feature !== from.feature) {
            reason = `The "${from.feature}" feature imports the "${to.feature}" feature: move what both need to shared code (api, components, lib) or compose them in app/.`;
          } else if (to.layer === "app" || (from.layer === "shared" && to.layer === "feature")) {
            reason = `Shared code and features do not import ${to.layer === "app" ? "app/" : "features"}: imports go app → features → shared.`;
          }
          if (reason) context.report({ node: node.source, message: reason });
        }
        return {
          ImportDeclaration: check,
          ExportNamedDeclaration: check,
          ExportAllDeclaration: check,
          ImportExpression: check,
        };
      },
    },
  },
};

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/api/schema.d.ts", "test-results", "playwright-report"] },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.browser, ...globals.node } },
    plugins: { "react-hooks": reactHooks, boundaries },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
      "boundaries/no-cross-feature-imports": "error",
    },
  },
);
