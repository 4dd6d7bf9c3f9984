/**
 * The floor whoami is measured against: the least a Deno program can do for
 * the same answer (read the file, one GET /auth/profile, print the email).
 * Run by `scripts/bench.ts`, never by users.
 * @module
 */
const home = Deno.env.get("HOME");
const { url, token } = JSON.parse(Deno.readTextFileSync(`${home}/.almyty/credentials.json`));
const response = await fetch(`${url}/auth/profile`, {
  headers: { Authorization: `Bearer ${token}` },
});
console.log((await response.json()).data.email);
