/*
 * Before any test: the stack answers and serves the app, and each demo account signs in once
 * through the API. The gateway allows few sign-ins a minute per client, so the specs share
 * these sessions (handed over in E2E_SESSIONS) and use the sign-in form only where the form
 * is what they test.
 */
import { ACCOUNTS, BASE_URL, LIMIT_WINDOW_MS, PASSWORDS, SIM_URL, type Account } from "./support";

async function reachable(url: string, what: string): Promise<string> {
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.text();
  } catch (error) {
    throw new Error(`${what} does not answer at ${url} (${String(error)}): is the stack running (\`make run\`)?`);
  }
}

/** Waits out the gateway's sign-in limit (a quick second run may meet it). */
async function login(account: Account): Promise<Response> {
  const deadline = Date.now() + LIMIT_WINDOW_MS;
  for (;;) {
    const response = await fetch(`${BASE_URL}/api/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: ACCOUNTS[account], password: PASSWORDS[account] }),
    });
    if (response.status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5000));
      continue;
    }
    if (!response.ok) {
      throw new Error(`${ACCOUNTS[account]} cannot sign in: ${response.status} ${await response.text()}`);
    }
    return response;
  }
}

export default async function globalSetup(): Promise<void> {
  await reachable(`${BASE_URL}/readyz`, "the gateway (BASE_URL)");
  await reachable(`${SIM_URL}/_sim/health`, "the Mews simulator (SIM_URL)");
  if (!(await reachable(`${BASE_URL}/`, "the web app")).includes('id="root"')) {
    throw new Error(`${BASE_URL}/ serves no web app: build it (\`npm run build\`) before starting the stack.`);
  }
  const sessions: Record<string, unknown> = {};
  for (const account of Object.keys(ACCOUNTS) as Account[]) {
    sessions[account] = await (await login(account)).json();
  }
  process.env.E2E_SESSIONS = JSON.stringify(sessions);
}
