// How the browser tests and the hydration benchmark (bench/hydration.mjs)
// start Chromium: Debian's build, never a downloaded one, headless, and with
// nothing that reaches out to the network on its own (the machine's network
// is closed, and those connections fail noisily).
module.exports.chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};
