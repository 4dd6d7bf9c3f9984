/**
 * Another process holding a login file's lock, as a concurrent almyty-auth
 * would: takes the lock of the file named in argv, prints "held", and keeps
 * it until it is killed (the kernel then releases it) or its stdin closes.
 * @module
 */
import { denoLocker, lockPathFor } from "../../src/platform/lock.ts";

const held = await denoLocker(lockPathFor(Deno.args[0]));
console.log("held");
await new Response(Deno.stdin.readable).arrayBuffer();
held.release();
