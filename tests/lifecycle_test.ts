/**
 * Where keys and logins go, and what happens to a key at the end of its
 * life: revocation checked with the key itself, the id of a hand-off key
 * only when it is provably this key's, a minted key that cannot be saved,
 * and the last disagreements with production. In process (tests/helpers/world.ts)
 * unless the rule is about real sockets.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { credsPath } from "./helpers/cli.ts";
import { recordToken } from "./helpers/leaks.ts";
import { World } from "./helpers/world.ts";

const key = (digit: string) => "almyty_" + digit.repeat(64);

/** Writes a login file into the world's HOME. */
function saveFile(world: World, credentials: Record<string, unknown>): void {
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700, recursive: true });
  Deno.writeTextFileSync(credsPath(world.home), JSON.stringify(credentials), { mode: 0o600 });
}

/**
 * production's key endpoints, scripted: the DELETE authenticated by the key
 * itself answers `deleteAnswer`; afterwards `/auth/profile` answers 200 while
 * `alive` says the key still works.
 */
function keyApi(world: World, deleteAnswer: 200 | 400 | 401, aliveAfter: boolean) {
  let alive = true;
  const seen: string[] = [];
  const url = world.route((request) => {
    const path = new URL(request.url).pathname;
    seen.push(`${request.method} ${path}`);
    const unauthorized = () =>
      Response.json({ error: { code: "UNAUTHORIZED", message: "Invalid API key" } }, {
        status: 401,
      });
    if (!alive) return unauthorized();
    if (request.method === "DELETE") {
      if (deleteAnswer === 401) return unauthorized();
      if (deleteAnswer === 400) {
        return Response.json({
          error: { code: "BAD_REQUEST", message: "API key not found", statusCode: 400 },
        }, { status: 400 });
      }
      alive = aliveAfter;
      return Response.json({ success: true, data: null, message: "API key revoked successfully" });
    }
    return Response.json({ success: true, data: { id: "u", email: "alice@example.com" } });
  });
  return { url, seen };
}

Deno.test("20.13/20.14: logout checks the revocation with the key itself and says what really happened", async (t) => {
  recordToken(key("4"));
  const cases: [string, 200 | 400 | 401, boolean, RegExp, boolean][] = [
    ["revoked and now 401", 200, false, /Revoked the API key on \S+ \(it now gets 401\)/, true],
    [
      "already dead (401 on the DELETE)",
      401,
      false,
      /already revoked on \S+ \(it gets 401\)/,
      true,
    ],
    [
      "400 API key not found: the saved id is not this key",
      400,
      true,
      /NOT revoked: \S+ knows no key of yours with the saved id, so the saved id is not this key's, and the key still works\. Revoke it at http:\/\/127\.0\.0\.1:\d+\/settings\/api-keys/,
      false,
    ],
    [
      "accepted but the key still works",
      200,
      true,
      /NOT revoked: \S+ accepted the revocation, but the key still works\. Revoke it at http:\/\/127\.0\.0\.1:\d+\/settings\/api-keys/,
      false,
    ],
  ];
  for (const [name, answer, aliveAfter, said, ok] of cases) {
    await t.step(name, async () => {
      const world = new World();
      const api = keyApi(world, answer, aliveAfter);
      saveFile(world, { url: api.url, token: key("4"), keyId: "k1", keyOrigin: "minted" });
      assertEquals(await world.run(["logout"]), 0, world.stderr);
      assertMatch(world.stderr, said);
      assertEquals(world.stderr.includes("Warning:"), !ok, world.stderr);
      assertMatch(world.stderr, /Logged out; removed/);
      if (answer === 200) assertEquals(api.seen, ["DELETE /auth/api-keys/k1", "GET /auth/profile"]);
    });
  }
});

Deno.test("20.13: a re-login checks that the key it replaces really stopped working", async () => {
  recordToken(key("4"));
  const world = new World();
  const server = world.referenceServer();
  const old = keyApi(world, 200, true); // the previous login's API accepts, but the key lives on
  saveFile(world, { url: old.url, token: key("4"), keyId: "k1", keyOrigin: "minted" });
  const alice = server.store.userByEmail("alice@example.com")!;
  const { apiKey } = server.store.mintKey(alice, "CI");
  recordToken(apiKey);
  world.stdinText = apiKey;
  assertEquals(await world.run(["login", "--with-token", "--api", server.url]), 0, world.stderr);
  assertMatch(
    world.stderr,
    /Warning: The key of the previous login was NOT revoked: \S+ accepted the revocation, but the key still works\. Revoke it at/,
  );
  assertEquals(old.seen, ["DELETE /auth/api-keys/k1", "GET /auth/profile"]);
});

Deno.test("20.11: logout of an unreadable file says where a key it held can be revoked", async () => {
  const world = new World();
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
  Deno.writeTextFileSync(credsPath(world.home), "{ not json", { mode: 0o600 });
  assertEquals(await world.run(["logout"]), 0, world.stderr);
  assertMatch(
    world.stderr,
    /removing it without revoking anything\. If it held a key that is still live, revoke it at https:\/\/app\.almyty\.com\/settings\/api-keys \(or under Settings > API Keys of the environment it was for\)/,
  );
  assert(world.requests.length === 0, "nothing in it is trusted, nothing is sent");
});
