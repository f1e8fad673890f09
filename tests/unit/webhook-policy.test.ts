import assert from "node:assert/strict";
import { it } from "node:test";
import { retryDelayMs } from "../../src/webhooks/delivery.worker";
import { isPrivateAddress } from "../../src/webhooks/url-policy";

it("backs off 4× per attempt, jittered between half and all of it, under the ceiling", () => {
  const config = { backoffBaseMs: 1000, backoffMaxMs: 60_000 };
  const expectedFull = [1000, 4000, 16_000, 60_000, 60_000];
  for (let attempt = 1; attempt <= expectedFull.length; attempt++) {
    const full = expectedFull[attempt - 1];
    for (let i = 0; i < 200; i++) {
      const delay = retryDelayMs(attempt, config);
      assert.ok(delay >= full / 2 && delay <= full, `attempt ${attempt}: ${delay} outside [${full / 2}, ${full}]`);
    }
  }
});

it("tells private, loopback, link-local and mapped addresses from public ones", () => {
  for (const address of ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::", "fd12::1", "fe80::1", "::ffff:7f00:1", "224.0.0.1"]) {
    assert.equal(isPrivateAddress(address), true, address);
  }
  for (const address of ["8.8.8.8", "203.0.113.9", "172.32.0.1", "2001:4860:4860::8888", "not-an-address"]) {
    assert.equal(isPrivateAddress(address), false, address);
  }
});
