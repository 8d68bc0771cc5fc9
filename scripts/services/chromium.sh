# Debian's Chromium, for the web console's browser tests (packages/controller/test/e2e/console*.e2e.test.ts):
# playwright-core drives /usr/bin/chromium headless (never `npx playwright install`). Nothing to
# start; the check is that the browser answers.
PACKAGES=(chromium)

service_start() { :; }

service_check() { /usr/bin/chromium --headless --no-sandbox --version >/dev/null 2>&1; }
