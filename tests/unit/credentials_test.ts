import { assert, assertEquals, assertMatch, assertThrows } from "../helpers/assert.ts";
import {
  type Credentials,
  CredentialsError,
  credentialsPath,
  deleteCredentials,
  deleteProfile,
  listProfiles,
  parseCredentials,
  readCredentials,
  readProfile,
  resolveCredentials,
  writeCredentials,
  writeProfile,
} from "../../src/credentials/mod.ts";
import { credsPath, tempHome } from "../helpers/cli.ts";
import {
  type CredentialsFs,
  FsError,
  MAX_FILE_BYTES,
  readCappedText,
} from "../../src/credentials/fs.ts";
import { nodeFs } from "../../src/credentials/node_fs.ts";
import { denoFs } from "../../src/platform/deno_fs.ts";

const creds = { url: "https://api.almyty.com", token: "almyty_0123456789abcdefghij" };

// The library's file operations come in two implementations (node:fs, the
// default; Deno's API, used by the CLI): every rule holds for both.
const ADAPTERS: [string, CredentialsFs][] = [["node:fs", nodeFs], ["Deno", denoFs]];

for (const [name, fs] of ADAPTERS) {
  Deno.test(`[${name}] credentialsPath is <home>/.almyty/credentials.json`, () => {
    assertEquals(credentialsPath({ home: "/h", fs }), "/h/.almyty/credentials.json");
    assertEquals(credentialsPath({ env: { HOME: "/e" }, fs }), "/e/.almyty/credentials.json");
  });

  Deno.test(`[${name}] write creates 0700 dir and 0600 file; read round-trips and keeps unknown fields`, () => {
    const home = tempHome();
    Deno.mkdirSync(`${home}/.almyty`, { mode: 0o755 });
    Deno.chmodSync(`${home}/.almyty`, 0o755);
    writeCredentials({ ...creds, extra: { kept: true } }, { home, fs });
    assertEquals(Deno.statSync(`${home}/.almyty`).mode! & 0o777, 0o700);
    assertEquals(Deno.statSync(credsPath(home)).mode! & 0o777, 0o600);
    assertEquals(readCredentials({ home, fs }), { ...creds, extra: { kept: true } });
    assertEquals([...Deno.readDirSync(`${home}/.almyty`)].length, 1, "no temp files left");
  });

  Deno.test(`[${name}] write refuses a symlink at the target and writes nothing through it`, () => {
    const home = tempHome();
    Deno.mkdirSync(`${home}/.almyty`);
    Deno.writeTextFileSync(`${home}/victim`, "keep");
    Deno.symlinkSync(`${home}/victim`, credsPath(home));
    const error = assertThrows(() => writeCredentials(creds, { home, fs }), CredentialsError);
    assertEquals(error.code, "symlink");
    assert(error.message.includes("rm "));
    assertEquals(Deno.readTextFileSync(`${home}/victim`), "keep");
  });

  Deno.test(`[${name}] read: each malformed case has its own message naming the path`, () => {
    const cases: [string, string, RegExp][] = [
      ["{not json", "malformed", /not valid JSON/],
      ["[1]", "malformed", /JSON object/],
      ['{"url":"x"}', "missing-token", /no token/],
      ['{"token":""}', "missing-token", /no token/],
      ['{"token":5}', "invalid-field", /"token" must be a string/],
      ['{"token":"t","url":5}', "invalid-field", /"url" must be a string/],
    ];
    for (const [text, code, message] of cases) {
      const home = tempHome();
      Deno.mkdirSync(`${home}/.almyty`);
      Deno.writeTextFileSync(credsPath(home), text, { mode: 0o600 });
      const error = assertThrows(() => readCredentials({ home, fs }), CredentialsError);
      assertEquals(error.code, code, text);
      assert(message.test(error.message), `${text}: ${error.message}`);
      assert(error.message.includes(credsPath(home)));
      assertEquals(Deno.readTextFileSync(credsPath(home)), text, "a read never rewrites");
    }
  });

  Deno.test(`[${name}] read tolerates what almyty's readers tolerate, with a warning each`, () => {
    const cases: [string, RegExp, string][] = [
      [
        '{"url":"https://a.example","token":"t","email":null}',
        /"email" should be a string/,
        "email",
      ],
      [
        '{"url":"https://a.example","token":"t","organization":"acme"}',
        /"organization" should be an object/,
        "organization",
      ],
      ['{"url":"https://a.example","token":"t","keyId":7}', /"keyId" should be a string/, "keyId"],
      // What almyty's other CLIs cannot read is read here, and said (20.12).
      [
        '\ufeff{"url":"https://a.example","token":"t"}',
        /almyty's other CLIs \(those built on @almyty\/client\) cannot read [^:]+: it starts with a UTF-8 byte-order mark[^\n]*Fix it with: almyty-auth doctor --fix/,
        "",
      ],
      ['{"token":"t"}', /cannot read [^:]+: it has a token but no "url", without/, ""],
      [
        '{"url":"","token":"t"}',
        /cannot read [^:]+: it has a token but no "url" \(it is empty\)/,
        "",
      ],
    ];
    for (const [text, warning, dropped] of cases) {
      const home = tempHome();
      Deno.mkdirSync(`${home}/.almyty`);
      Deno.writeTextFileSync(credsPath(home), text, { mode: 0o600 });
      const warnings: string[] = [];
      const read = readCredentials({ home, fs, onWarning: (w) => warnings.push(w) })!;
      assertEquals(read.token, "t", text);
      assertEquals(warnings.length, 1, text);
      assertMatch(warnings[0], warning);
      if (dropped) assertEquals(dropped in read, false, `${dropped} is ignored`);
      assertEquals(Deno.readTextFileSync(credsPath(home)), text, "a read never rewrites");
    }
  });

  Deno.test(`[${name}] read: a directory in the file's place, and a missing file`, () => {
    const home = tempHome();
    assertEquals(readCredentials({ home, fs }), null);
    Deno.mkdirSync(credsPath(home), { recursive: true });
    assertEquals(
      assertThrows(() => readCredentials({ home, fs }), CredentialsError).code,
      "not-a-file",
    );
  });

  Deno.test(`[${name}] read warns about a group-readable file and names chmod 600`, () => {
    const home = tempHome();
    writeCredentials(creds, { home, fs });
    Deno.chmodSync(credsPath(home), 0o644);
    const warnings: string[] = [];
    readCredentials({ home, fs, onWarning: (w) => warnings.push(w) });
    assertEquals(warnings.length, 1);
    assert(warnings[0].includes(`chmod 600 ${credsPath(home)}`));
    assertEquals(Deno.statSync(credsPath(home)).mode! & 0o777, 0o644, "warn, never fix");
  });

  Deno.test(`[${name}] resolve: almyty's reader rule — ALMYTY_URL only with ALMYTY_TOKEN`, () => {
    const home = tempHome();
    assertEquals(resolveCredentials({ home, fs, env: {} }), null);
    writeCredentials(
      { ...creds, url: "https://api.staging.almyty.com", frontendUrl: "https://web.staging" },
      { home, fs },
    );
    const fromFile = resolveCredentials({ home, fs, env: {} })!;
    assertEquals(fromFile.source, {
      token: "file",
      url: "file",
      frontendUrl: "file",
      profile: "default",
    });
    assertEquals(fromFile.profile, "default");
    assertEquals(fromFile.url, "https://api.staging.almyty.com");
    assertEquals(fromFile.ignoredEnvUrl, undefined);
    // A saved key is never re-pointed at another host by ALMYTY_URL; the caller is told.
    const urlEnv = resolveCredentials({ home, fs, env: { ALMYTY_URL: "https://x.example" } })!;
    assertEquals([urlEnv.url, urlEnv.source.url, urlEnv.token, urlEnv.ignoredEnvUrl], [
      "https://api.staging.almyty.com",
      "file",
      creds.token,
      "https://x.example",
    ]);
    const same = resolveCredentials({
      home,
      fs,
      env: { ALMYTY_URL: "https://api.staging.almyty.com/" },
    })!;
    assertEquals(same.ignoredEnvUrl, undefined, "the same URL is not reported");
    const tokenEnv = resolveCredentials({ home, fs, env: { ALMYTY_TOKEN: "envtoken" } })!;
    assertEquals(tokenEnv.token, "envtoken");
    assertEquals(tokenEnv.source, { token: "env", url: "default", frontendUrl: "derived" });
    assertEquals([tokenEnv.url, tokenEnv.frontendUrl], [
      "https://api.almyty.com",
      "https://app.almyty.com",
    ]);
    assertEquals(tokenEnv.file, null);
    const both = resolveCredentials({
      home,
      fs,
      env: { ALMYTY_TOKEN: "envtoken", ALMYTY_URL: "https://api.staging.almyty.com" },
    })!;
    assertEquals([both.url, both.source.url, both.frontendUrl, both.source.frontendUrl], [
      "https://api.staging.almyty.com",
      "env",
      "https://app.staging.almyty.com",
      "derived",
    ]);
    const frontEnv = resolveCredentials({
      home,
      fs,
      env: { ALMYTY_FRONTEND_URL: "https://front.example" },
    })!;
    assertEquals([frontEnv.frontendUrl, frontEnv.source.frontendUrl], [
      "https://front.example",
      "env",
    ]);
    const empty = resolveCredentials({ home, fs, env: { ALMYTY_TOKEN: "" } })!;
    assertEquals(empty.source.token, "file", "an empty ALMYTY_TOKEN does not count");
  });

  Deno.test(`[${name}] resolve with ALMYTY_TOKEN never opens the file (a FIFO there would hang)`, () => {
    const home = tempHome();
    Deno.mkdirSync(`${home}/.almyty`);
    new Deno.Command("mkfifo", { args: [credsPath(home)] }).outputSync();
    const resolved = resolveCredentials({ home, fs, env: { ALMYTY_TOKEN: "t".repeat(20) } });
    assertEquals(resolved?.source.token, "env");
  });

  Deno.test(`[${name}] resolve: ALMYTY_TOKEN needs no home directory (HOME unset: a service, env -i)`, () => {
    const homeless: CredentialsFs = { ...fs, env: () => ({}) };
    const resolved = resolveCredentials({
      fs: homeless,
      env: { ALMYTY_TOKEN: "almyty_env", ALMYTY_URL: "https://api.staging.almyty.com" },
    })!;
    assertEquals([resolved.token, resolved.url, resolved.source.token, resolved.path], [
      "almyty_env",
      "https://api.staging.almyty.com",
      "env",
      "",
    ]);
    // Without ALMYTY_TOKEN the file is needed: that still says what to set.
    const noHome = assertThrows(
      () => resolveCredentials({ fs: homeless, env: {} }),
      CredentialsError,
    );
    assertEquals(noHome.code, "no-home");
  });

  Deno.test(`[${name}] resolve: an ALMYTY_TOKEN of only whitespace is blank-token, never an empty token`, () => {
    const home = tempHome();
    writeCredentials(creds, { home, fs });
    for (const blank of [" ", "  \n", "\t"]) {
      const error = assertThrows(
        () => resolveCredentials({ home, fs, env: { ALMYTY_TOKEN: blank } }),
        CredentialsError,
      );
      assertEquals(error.code, "blank-token");
      assertMatch(error.message, /ALMYTY_TOKEN holds only whitespace[^]*unset it/);
    }
  });

  Deno.test(`[${name}] ~/.almyty is a file: nothing is logged in (no FsError), and a write names the fix`, () => {
    const home = tempHome();
    Deno.writeTextFileSync(`${home}/.almyty`, "not a folder");
    // A path through a file names nothing (ENOTDIR), as almyty's own readers see it.
    assertEquals(readCredentials({ home, fs }), null);
    assertEquals(resolveCredentials({ home, fs, env: {} }), null);
    assertEquals(readProfile("staging", { home, fs }), null);
    assertEquals(listProfiles({ home, fs }), []);
    assertEquals([deleteCredentials({ home, fs }), deleteProfile("staging", { home, fs })], [
      false,
      false,
    ]);
    const refused = assertThrows(() => writeCredentials(creds, { home, fs }), CredentialsError);
    assertEquals(refused.code, "write-failed");
    assertMatch(
      refused.message,
      new RegExp(`${home}/\\.almyty is a file, not a folder\\. Move it aside \\(mv ${home}/`),
    );
    assertEquals(Deno.readTextFileSync(`${home}/.almyty`), "not a folder");
    const profilesFile = tempHome();
    Deno.mkdirSync(`${profilesFile}/.almyty`, { mode: 0o700 });
    Deno.writeTextFileSync(`${profilesFile}/.almyty/profiles`, "");
    assertEquals(listProfiles({ home: profilesFile, fs }), []);
    const profile = assertThrows(
      () => writeProfile("staging", creds, { home: profilesFile, fs }),
      CredentialsError,
    );
    assertMatch(profile.message, /profiles is a file, not a folder\. Move it aside/);
  });

  Deno.test(`[${name}] the default login is written with a url (almyty's other CLIs crash without one)`, () => {
    const home = tempHome();
    const token = { token: creds.token, email: "a@example.com" } as unknown as Credentials;
    const empty = { url: "", token: creds.token, email: "a@example.com" } as Credentials;
    for (
      const write of [
        () => writeCredentials(token, { home, fs }),
        () => writeProfile("default", token, { home, fs }),
        () => writeCredentials(empty, { home, fs }),
        () => writeProfile("default", empty, { home, fs }),
      ]
    ) {
      write();
      assertEquals(JSON.parse(Deno.readTextFileSync(credsPath(home))), {
        url: "https://api.almyty.com",
        token: creds.token,
        email: "a@example.com",
      });
    }
    writeCredentials({ ...creds, url: "https://api.staging.almyty.com" }, { home, fs });
    assertEquals(readCredentials({ home, fs })?.url, "https://api.staging.almyty.com");
  });

  Deno.test(`[${name}] delete removes the file and is fine when there is none`, () => {
    const home = tempHome();
    writeCredentials(creds, { home, fs });
    assertEquals(deleteCredentials({ home, fs }), true);
    assertEquals(deleteCredentials({ home, fs }), false);
  });
}

Deno.test("a file holding a bare token: the message never quotes it", () => {
  // V8's own JSON errors quote the input; `echo $KEY > credentials.json` is a real mistake.
  const token = "ak_live_BARETOKENBARETOKENBARE";
  for (const text of [token, `{"token":"${token}" oops}`, `${token}\n`]) {
    const error = assertThrows(
      () => parseCredentials(text, "/h/credentials.json"),
      CredentialsError,
    );
    assertEquals(error.code, "malformed");
    assert(!error.message.includes("BARETOKEN"), error.message);
    assert(/not valid JSON at position \d+/.test(error.message), error.message);
  }
});

Deno.test("20 concurrent writer processes leave one of their files; a reader never sees a part", async () => {
  const home = tempHome();
  writeCredentials({ ...creds, token: "initial-token-0000000000" }, { home });
  const script = `
    import { writeCredentials } from "${
    new URL("../../src/credentials/mod.ts", import.meta.url).href
  }";
    const n = Deno.args[0];
    for (let i = 0; i < 20; i++) {
      writeCredentials({ url: "https://api.almyty.com", token: "writer-" + n + "-" + "x".repeat(2000) }, { home: Deno.args[1] });
    }`;
  const file = `${home}/writer.ts`;
  Deno.writeTextFileSync(file, script);
  let reads = 0;
  let stop = false;
  const reader = (async () => {
    while (!stop) {
      const c = readCredentials({ home, onWarning: () => {} });
      assert(c && (c.token.startsWith("writer-") || c.token.startsWith("initial")), "partial read");
      reads++;
      await new Promise((r) => setTimeout(r, 0));
    }
  })();
  const writers = Array.from({ length: 20 }, (_, n) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        file,
        String(n),
        home,
      ],
    }).output());
  const results = await Promise.all(writers);
  stop = true;
  await reader;
  for (const r of results) assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
  const final = readCredentials({ home })!;
  assert(/^writer-\d+-x{2000}$/.test(final.token));
  assert(reads > 0);
  const leftovers = [...Deno.readDirSync(`${home}/.almyty`)].map((e) => e.name);
  assertEquals(leftovers, ["credentials.json"]);
});

Deno.test("a write goes to a fresh 0600 temp file beside the target, then is renamed over it", () => {
  const home = tempHome();
  writeCredentials(creds, { home, fs: denoFs });
  const ops: string[] = [];
  const recording: CredentialsFs = {
    ...denoFs,
    writeNew: (path, text, mode) => {
      ops.push(`writeNew ${path} ${mode.toString(8)}`);
      denoFs.writeNew(path, text, mode);
    },
    rename: (from, to) => {
      ops.push(`rename ${from} -> ${to}`);
      denoFs.rename(from, to);
    },
  };
  writeCredentials({ ...creds, token: "almyty_second" }, { home, fs: recording });
  const path = credsPath(home);
  const temp = `${home}/.almyty/`;
  assertEquals(ops.length, 2, ops.join("\n"));
  assertMatch(ops[0], new RegExp(`^writeNew ${temp}\\.credentials\\.json\\.[0-9a-f]+\\.tmp 600$`));
  assertEquals(ops[1], `rename ${ops[0].split(" ")[1]} -> ${path}`);
  assertEquals(readCredentials({ home })!.token, "almyty_second");
});

Deno.test("readCappedText: a file that grows after its stat is read whole, in as many buffers as it takes, until past the cap, then refused (reading stops at the first buffer past it)", () => {
  /** A file of `bytes` whose stat said `size`: each read hands out at most `step` bytes. */
  const reader = (bytes: Uint8Array, step: number) => {
    let offset = 0;
    const reads = { bytes: 0 };
    const read = (buffer: Uint8Array) => {
      const count = Math.min(step, buffer.length, bytes.length - offset);
      buffer.set(bytes.subarray(offset, offset + count));
      offset += count;
      reads.bytes += count;
      return count;
    };
    return { read, reads };
  };
  const text = "é".repeat(5000); // 10 000 bytes, a character across every buffer's edge
  const grown = new TextEncoder().encode(text);
  for (const step of [1, 7, 4096, 100_000]) {
    assertEquals(readCappedText(reader(grown, step).read, 10, "/g.json"), text, `step ${step}`);
  }
  const huge = new Uint8Array(MAX_FILE_BYTES + 4096).fill(0x20);
  const { read, reads } = reader(huge, 65_536);
  assertEquals(assertThrows(() => readCappedText(read, 10, "/h.json"), FsError).code, "EFBIG");
  assert(reads.bytes <= MAX_FILE_BYTES + 4096, `read ${reads.bytes} bytes`);
});
