/**
 * almyty's device-flow cancel extension (PROTOCOL §4): the client says it
 * stopped waiting; the code's page then says the login was cancelled in the
 * terminal, and its polls get `access_denied`.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { openConsent } from "./helpers/consent.ts";
import { browserSession, withServer } from "./helpers/server.ts";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

function form(url: string, path: string, fields: Record<string, string>, clientId = "almyty-cli") {
  return fetch(url + path, {
    method: "POST",
    body: new URLSearchParams({ ...(clientId ? { client_id: clientId } : {}), ...fields }),
  });
}

async function startDevice(url: string) {
  return await (await form(url, "/auth/cli/device", { client_name: "box" })).json() as {
    device_code: string;
    user_code: string;
    verification_uri_complete: string;
  };
}

async function poll(url: string, deviceCode: string, wait = "0") {
  return await (await form(url, "/auth/cli/token", {
    grant_type: DEVICE_GRANT,
    device_code: deviceCode,
    almyty_wait: wait,
  })).json();
}

Deno.test("cancel: discovery names the endpoint; a held poll and every later one get access_denied", async () => {
  await withServer({ deviceInterval: 0 }, async (s) => {
    const doc = await (await fetch(`${s.url}/.well-known/oauth-authorization-server`)).json();
    assertEquals(doc.almyty_device_cancel_endpoint, `${s.url}/auth/cli/device/cancel`);
    const device = await startDevice(s.url);
    const held = poll(s.url, device.device_code, "20");
    await new Promise((resolve) => setTimeout(resolve, 50)); // the poll is held
    const started = Date.now();
    const cancelled = await form(s.url, "/auth/cli/device/cancel", {
      device_code: device.device_code,
    });
    assertEquals([cancelled.status, await cancelled.json()], [200, {}]);
    assertEquals(cancelled.headers.get("cache-control"), "no-store");
    assertEquals((await held).error, "access_denied");
    assert(Date.now() - started < 5_000, "the held poll wakes at once");
    assertEquals((await poll(s.url, device.device_code)).error, "access_denied");
    // Idempotent: a second cancel is the same 200.
    const again = await form(s.url, "/auth/cli/device/cancel", {
      device_code: device.device_code,
    });
    assertEquals([again.status, await again.json()], [200, {}]);
  });
});

Deno.test("cancel: the code's page says the login was cancelled in the terminal; an open consent cannot approve", async () => {
  await withServer({ deviceInterval: 0 }, async (s) => {
    const cookie = await browserSession(s.url);
    const device = await startDevice(s.url);
    // The consent page was open before the terminal gave up.
    const consent = await openConsent(fetch, device.verification_uri_complete, cookie);
    await (await form(s.url, "/auth/cli/device/cancel", { device_code: device.device_code }))
      .body?.cancel();
    const approved = await consent.submit("approve");
    assertEquals(approved.status, 400);
    assertMatch(await approved.text(), /cancelled in the terminal/);
    // Opening the link afterwards says the same, and offers no form.
    const page = await fetch(device.verification_uri_complete, { headers: { cookie } });
    const html = await page.text();
    assertEquals(page.status, 400);
    assertMatch(html, /Login cancelled/);
    assertMatch(html, /cancelled in the terminal, so it can no longer be approved/);
    assert(!html.includes('name="request_id"'), "no consent form");
    assertEquals((await poll(s.url, device.device_code)).error, "access_denied");
    assertEquals(s.store.keys.size, 0, "nothing was minted");
  });
});

Deno.test("cancel: an approved code the client never redeemed mints nothing", async () => {
  await withServer({ deviceInterval: 0 }, async (s) => {
    const device = await startDevice(s.url);
    const consent = await openConsent(
      fetch,
      device.verification_uri_complete,
      await browserSession(s.url),
    );
    assertMatch(await (await consent.submit("approve")).text(), /Device approved/);
    await (await form(s.url, "/auth/cli/device/cancel", { device_code: device.device_code }))
      .body?.cancel();
    assertEquals((await poll(s.url, device.device_code)).error, "access_denied");
    assertEquals(s.store.keys.size, 0);
  });
});

Deno.test("cancel: no oracle for unknown codes; device_code and the client are required", async () => {
  await withServer({}, async (s) => {
    const cases: [Record<string, string>, string, number, unknown][] = [
      [{ device_code: "no-such-code" }, "almyty-cli", 200, {}],
      [{}, "almyty-cli", 400, "invalid_request"],
      [{ device_code: "x" }, "other-client", 401, "invalid_client"],
      [{ device_code: "x" }, "", 401, "invalid_client"],
    ];
    for (const [fields, clientId, status, answer] of cases) {
      const response = await form(s.url, "/auth/cli/device/cancel", fields, clientId);
      const body = await response.json();
      assertEquals(
        [response.status, status === 200 ? body : body.error],
        [status, answer],
        JSON.stringify([fields, clientId]),
      );
    }
    // An expired code: 200 as well, and its poll still hears expired_token.
    let now = Date.now();
    await withServer({ now: () => now }, async (t) => {
      const device = await startDevice(t.url);
      now += 601_000;
      const late = await form(t.url, "/auth/cli/device/cancel", {
        device_code: device.device_code,
      });
      assertEquals([late.status, await late.json()], [200, {}]);
      assertEquals((await poll(t.url, device.device_code)).error, "expired_token");
    });
  });
});
