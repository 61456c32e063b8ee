// The console's security, in-process: no session -> sign-in; a state change without the CSRF token
// is refused and changes nothing; user text is escaped; cookies are HttpOnly, SameSite=Strict,
// path-scoped, expiring, Secure over https; the token never appears in a page.
import { startApp, type TestApp } from "../helpers/app";

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ trustProxy: true } as any);
});
afterAll(() => app.app.close());

const cookieOf = (setCookie: string | string[] | undefined, name: string) =>
  ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith(`${name}=`));

/** Signs in like a browser: the sign-in page's CSRF cookie and token, then the token form. */
async function signIn(headers: Record<string, string> = {}) {
  const form = await app.app.inject({ method: "GET", url: "/console/sign-in", headers });
  const csrfCookie = cookieOf(form.headers["set-cookie"], "wl_csrf")!.split(";")[0];
  const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1];
  const r = await app.app.inject({
    method: "POST", url: "/console/sign-in", headers: { ...headers, cookie: csrfCookie, "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({ _csrf: token, token: app.adminToken }).toString(),
  });
  return { r, cookies: `${csrfCookie}; ${cookieOf(r.headers["set-cookie"], "wl_console")?.split(";")[0]}`, token };
}

test("without a session every page and form sends the browser to sign in", async () => {
  for (const [method, url] of [["GET", "/console"], ["GET", "/console/teams"], ["POST", "/console/agents"], ["GET", "/console/agents/6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5"]] as const) {
    const r = await app.app.inject({ method, url });
    expect([url, r.statusCode, r.headers.location]).toEqual([url, 303, "/console/sign-in"]);
  }
});

test("sign-in: a wrong token is refused without a cookie; the right one makes an HttpOnly, SameSite=Strict, expiring cookie, Secure over https", async () => {
  const form = await app.app.inject({ method: "GET", url: "/console/sign-in" });
  const csrfCookie = cookieOf(form.headers["set-cookie"], "wl_csrf")!;
  expect(csrfCookie).toMatch(/HttpOnly/);
  const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1];
  const wrong = await app.app.inject({
    method: "POST", url: "/console/sign-in", headers: { cookie: csrfCookie.split(";")[0], "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({ _csrf: token, token: "writer_admin_wrong" }).toString(),
  });
  expect(wrong.statusCode).toBe(401);
  expect(cookieOf(wrong.headers["set-cookie"], "wl_console")).toBeUndefined();

  const plain = await signIn();
  expect(plain.r.statusCode).toBe(303);
  const c = cookieOf(plain.r.headers["set-cookie"], "wl_console")!;
  expect(c).toMatch(/; HttpOnly/);
  expect(c).toMatch(/; SameSite=Strict/);
  expect(c).toMatch(/; Path=\/console/);
  expect(c).toMatch(/; Max-Age=28800/);
  expect(c).not.toMatch(/; Secure/);
  const tls = await signIn({ "x-forwarded-proto": "https" });
  expect(cookieOf(tls.r.headers["set-cookie"], "wl_console")).toMatch(/; Secure/);

  const page = await app.app.inject({ method: "GET", url: "/console", headers: { cookie: plain.cookies } });
  expect(page.statusCode).toBe(200);
  expect(page.body).not.toContain(app.adminToken);
  expect(page.headers["content-security-policy"]).toMatch(/script-src 'self'/);
  expect(page.headers["x-frame-options"]).toBe("DENY");
});

test("a cross-site POST (no CSRF token, or another session's) is refused and changes nothing", async () => {
  const { cookies } = await signIn();
  const before = (await app.api.get("/v1/admin/agents?limit=100")).body.data.length;
  const noToken = await app.app.inject({
    method: "POST", url: "/console/agents", headers: { cookie: cookies, "content-type": "application/x-www-form-urlencoded" },
    payload: "name=evil",
  });
  expect(noToken.statusCode).toBe(403);
  const forged = await app.app.inject({
    method: "POST", url: "/console/agents", headers: { cookie: cookies, "content-type": "application/x-www-form-urlencoded" },
    payload: "name=evil&_csrf=" + "a".repeat(40),
  });
  expect(forged.statusCode).toBe(403);
  expect((await app.api.get("/v1/admin/agents?limit=100")).body.data.length).toBe(before);
});

test("an agent named like markup renders as text", async () => {
  const { cookies } = await signIn();
  const a = await app.api.post("/v1/admin/agents", { name: "<img src=x onerror=alert(1)>", description: "<script>alert(2)</script>" });
  for (const url of ["/console", `/console/agents/${a.body.id}`, `/console/agents/${a.body.id}/delete`]) {
    const r = await app.app.inject({ method: "GET", url, headers: { cookie: cookies } });
    expect([url, r.statusCode]).toEqual([url, 200]);
    expect(r.body).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(r.body).not.toContain("<img src=x");
    expect(r.body).not.toContain("<script>alert");
  }
});
