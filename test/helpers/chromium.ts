// test/helpers/chromium.ts: launches Debian's Chromium through playwright-core for browser tests.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where the test command installs Chromium (apt package "chromium"). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches headless Chromium (playwright gives it a fresh profile) with flags that keep it off the (closed) network and able to autoplay. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}; run scripts/test-all.sh to install it`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}
