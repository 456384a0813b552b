// What `npm test` needs besides `npm install`: one list, said by the browser
// tests when they skip and written the same in the README ("Tests").
export const TEST_PREREQUISITES = [
  "a PostgreSQL server and a role that can create databases (TEST_POSTGRES_URL; default postgresql://postgres@127.0.0.1:5432/postgres)",
  "pg_dump and pg_restore (postgresql-client, same major version as the server)",
  "chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH)",
  "fonts-thai-tlwg",
  "fonts-noto-color-emoji",
] as const;

export const BROWSER_TEST_PREREQUISITES =
  `npm test needs: ${TEST_PREREQUISITES.join("; ")}. ` +
  "On Debian/Ubuntu: apt-get install -y postgresql postgresql-client chromium fonts-thai-tlwg fonts-noto-color-emoji (.ci/run does it).";
