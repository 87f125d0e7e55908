// Loads a DHAT JSON file into valgrind's own viewer (dh_view.html) in
// headless Chromium and prints the text the page shows, for a test to read.
// usage: node dh_view.js VIEWER_HTML DHAT_JSON
// Exit status 1 (with the reason on stderr) when the page does not show a
// tree: the viewer rejected the file, or threw.
"use strict";
const { chromium } = require("playwright-core");

async function main() {
  const [viewer, file] = process.argv.slice(2);
  if (!viewer || !file) throw new Error("usage: node dh_view.js VIEWER_HTML DHAT_JSON");
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto("file://" + viewer);
    // the viewer reads the file through its (hidden) file picker
    await page.locator("input[type=file]").setInputFiles(file);
    // a loaded tree has a root program point, "PP 1/1"; a failure says why
    await page.waitForFunction(() => /PP 1\/1|Error|error/.test(document.body.innerText));
    const text = await page.evaluate(() => document.body.innerText);
    process.stdout.write(text);
    if (errors.length || !/PP 1\/1/.test(text)) {
      process.stderr.write("dh_view.html did not show a tree: " + errors.join("; ") + "\n");
      process.exitCode = 1;
    }
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + "\n");
  process.exitCode = 1;
});
