// The BharatAuth demo: plain JavaScript over the HTTP API in cookie mode.
// The refresh token lives in an HttpOnly cookie the page never sees; the
// access token lives in this script's memory only, and a reload gets a new
// one from POST /refresh.
"use strict";

(function () {
  const API = "/web/auth";
  const CATEGORIES = [ // the quickstart's categories (core.DefaultCategories)
    { name: "identity", required: true }, { name: "contact", required: true },
    { name: "location", required: false }, { name: "security", required: true },
    { name: "communications", required: false }, { name: "analytics", required: false },
  ];
  const LINK_PAGES = {
    "/verify-email": { title: "verify.title", submit: "verify.submit", done: "verify.done", path: "/email/verify" },
    "/reset-password": { title: "resetPassword.title", submit: "resetPassword.submit", done: "resetPassword.done", path: "/password/reset/confirm", field: "password" },
    "/reset-pin": { title: "resetPin.title", submit: "resetPin.submit", done: "resetPin.done", path: "/pin/reset/confirm", field: "pin" },
    "/unlock": { title: "unlock.title", submit: "unlock.submit", done: "unlock.done", path: "/unlock/confirm" },
  };
  const ERROR_KEYS = {
    invalid_credentials: "error.invalid_credentials", invalid_otp: "error.invalid_otp", invalid_pin: "error.invalid_pin",
    locked: "error.locked", email_not_verified: "error.email_not_verified", email_taken: "error.conflict",
    rate_limited: "error.rate_limited", ip_blocked: "error.rate_limited", too_many_attempts: "error.rate_limited",
    csrf: "error.csrf", phone_invalid: "error.phone_invalid", phone_not_mobile: "error.phone_not_mobile",
    phone_region_not_allowed: "error.phone_region_not_allowed", phone_taken: "error.phone_taken",
  };

  const $ = (sel, root) => (root || document).querySelector(sel);
  let lang = "en";
  let access = null; // the access token: memory only
  let me = null;
  let linkToken = null;
  let linkPage = null;
  let notice = null; // the privacy notice shown at registration, as the server published it
  let newPhone = null; // the number just registered, as the server stored it (E.164)

  // ---- words ----
  function t(key, vars) {
    let s = (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.en[key] || key;
    for (const [k, v] of Object.entries(vars || {})) s = s.replace("{" + k + "}", v);
    return s;
  }
  function applyLanguage() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.title = t("brand");
    renderConsentChoices();
    if (linkPage) renderLinkPage();
    if (newPhone) renderCheckPhone();
    if (me) renderMe();
  }

  // ---- the device ----
  // A random per-install ID, the device fingerprint the trust matrix counts
  // on. A public device gets none: nothing of the user stays on it.
  function deviceID() {
    let id = localStorage.getItem("ba-device");
    if (!/^[0-9a-f]{64}$/.test(id || "")) {
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      localStorage.setItem("ba-device", id);
    }
    return id;
  }
  function deviceFields() {
    const shared = $("#login-public").checked;
    return shared ? { is_public_device: true } : { device_fingerprint: deviceID() };
  }

  // ---- the API ----
  // call sends one request. A 401 with a token in hand refreshes once and
  // retries; a 403 step_up_required opens the step-up prompt and retries
  // after it succeeds.
  async function call(method, path, body, opts) {
    opts = opts || {};
    const headers = { "X-BharatAuth-CSRF": "1" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (access && !opts.noAuth) headers.Authorization = "Bearer " + access;
    let res;
    try {
      res = await fetch(API + path, { method, headers, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new Problem({ code: "network", detail: t("error.network") });
    }
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (res.ok) return data;
    const problem = new Problem(data || { code: "http_" + res.status, detail: res.statusText }, res);
    if (res.status === 401 && access && !opts.noAuth && !opts.retried && await refresh()) {
      return call(method, path, body, Object.assign({}, opts, { retried: true }));
    }
    if (problem.stepUp && !opts.steppedUp) {
      if (await stepUp()) return call(method, path, body, Object.assign({}, opts, { steppedUp: true }));
      throw new Problem({ code: "step_up_cancelled", detail: t("stepup.cancelled") });
    }
    throw problem;
  }
  function Problem(p, res) {
    this.code = p.code;
    this.detail = p.detail;
    // RFC 9470: the challenge says a stronger authentication is needed.
    const challenge = res ? res.headers.get("WWW-Authenticate") || "" : "";
    this.stepUp = p.code === "step_up_required" || challenge.includes("insufficient_user_authentication");
  }
  function message(err) {
    const key = ERROR_KEYS[err.code];
    return key ? t(key) : (err.detail || String(err));
  }
  async function refresh() {
    try {
      const tok = await call("POST", "/refresh", undefined, { noAuth: true });
      access = tok.access_token;
      return true;
    } catch (e) {
      access = null;
      return false;
    }
  }

  // ---- views ----
  function show(name) {
    say("");
    document.querySelectorAll(".view").forEach((v) => { v.hidden = v.id !== "view-" + name; });
    const h = $("#view-" + name + " h1");
    if (h) h.focus(); // a screen reader hears where it is; Tab starts from here
  }
  function say(text) { $("#status").textContent = text; }
  function fail(root, err) {
    const el = root.matches && root.matches(".error") ? root : $(".error", root);
    el.textContent = err ? message(err) : "";
  }
  // busy disables a form's buttons while its request runs.
  async function busy(form, work) {
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    fail(form, null);
    try { await work(); } catch (e) { fail(form, e); } finally { buttons.forEach((b) => { b.disabled = false; }); }
  }

  // ---- register ----
  // loadNotice asks the server for its privacy notice in the page's language
  // (GET /privacy/notice?lang=): registration then names the version and
  // language shown, and every consent row records them. Without one in that
  // language the demo shows its own summary and the server records its
  // default notice.
  async function loadNotice() {
    try {
      notice = await call("GET", "/privacy/notice?lang=" + encodeURIComponent(lang), undefined, { noAuth: true });
    } catch (e) {
      notice = null;
    }
    renderConsentChoices();
  }
  function renderConsentChoices() {
    const box = $("#notice");
    box.textContent = notice && notice.text ? notice.text : t("register.notice");
    if (notice && !notice.text && notice.url) {
      const a = document.createElement("a");
      a.href = notice.url;
      a.textContent = notice.url;
      box.append(" ", a);
    }
    const list = $("#reg-consents");
    const checked = {};
    list.querySelectorAll("input").forEach((i) => { checked[i.value] = i.checked; });
    list.replaceChildren(...CATEGORIES.map((c) => switchItem("reg-consent-" + c.name, c, !!checked[c.name])));
  }
  // switchItem is one category: its own switch, label and purpose.
  function switchItem(id, c, on) {
    const li = document.createElement("li");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.setAttribute("role", "switch");
    input.id = id;
    input.value = c.name;
    input.checked = on;
    input.setAttribute("aria-describedby", id + "-why");
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = t("cat." + c.name) + " (" + t(c.required ? "register.required" : "register.optional") + ")";
    const why = document.createElement("p");
    why.id = id + "-why";
    why.className = "hint";
    why.textContent = t("cat." + c.name + ".why");
    li.append(input, label, why);
    return li;
  }
  // Sign up by email (with a password) or by mobile number (no password:
  // such an account signs in with codes sent by SMS).
  function registerByPhone() { return $("input[name=reg-by]:checked").value === "phone"; }
  function renderRegisterChoice() {
    const phone = registerByPhone();
    $("#reg-email-part").hidden = phone;
    $("#reg-password-part").hidden = phone;
    $("#reg-phone-part").hidden = !phone;
  }
  document.querySelectorAll("input[name=reg-by]").forEach((r) => r.addEventListener("change", renderRegisterChoice));
  $("#register-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const form = ev.target;
    busy(form, async () => {
      const consents = CATEGORIES.map((c) => ({ category: c.name, granted: $("#reg-consent-" + c.name).checked }));
      if (consents.some((c, i) => CATEGORIES[i].required && !c.granted)) {
        throw new Problem({ code: "consent", detail: t("register.requiredMissing") });
      }
      const shown = notice ? { notice_version: notice.version, notice_language: notice.language } : {};
      const byPhone = registerByPhone();
      const who = byPhone ? { phone: $("#reg-phone").value } : { email: $("#reg-email").value, password: $("#reg-password").value };
      const res = await call("POST", "/register", Object.assign(who, {
        display_name: $("#reg-name").value, language: lang, consents }, shown), { noAuth: true });
      form.reset();
      renderRegisterChoice();
      renderConsentChoices();
      if (byPhone) {
        newPhone = res.user.phone;
        renderCheckPhone();
        show("check-phone");
        awaitTextedCode($("#phone-verify-code"), $("#phone-verify-form"));
        return;
      }
      show("check-email");
    });
  });

  // ---- WebOTP ----
  // Every SMS with a code ends with "@<this host> #<code>": on a phone, the
  // browser offers that code to the page that waits for it, and it is filled
  // in and sent. Elsewhere the wait stays open or fails, and the person types
  // the code; submitting ends the wait.
  let otpWait = null;
  function awaitTextedCode(input, form) {
    endTextedCodeWait();
    if (!("OTPCredential" in window)) return;
    otpWait = new AbortController();
    navigator.credentials.get({ otp: { transport: ["sms"] }, signal: otpWait.signal }).then((otp) => {
      if (otp && otp.code && !input.value) {
        input.value = otp.code;
        form.requestSubmit();
      }
    }).catch(() => { /* no SMS offered: the person types the code */ });
  }
  function endTextedCodeWait() {
    if (otpWait) otpWait.abort();
    otpWait = null;
  }

  // ---- the texted verification code ----
  function renderCheckPhone() { $("#check-phone-body").textContent = t("checkPhone.body", { phone: newPhone }); }
  $("#phone-verify-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const form = ev.target;
    endTextedCodeWait();
    busy(form, async () => {
      await call("POST", "/phone/verify", { phone: newPhone, code: $("#phone-verify-code").value }, { noAuth: true });
      form.reset();
      // Next: sign in with a code by SMS, the number already typed.
      $("input[name=method][value=sms]").checked = true;
      renderLoginMethod();
      $("#login-phone").value = newPhone;
      newPhone = null;
      show("login");
      say(t("checkPhone.done"));
    });
  });

  // ---- emailed links ----
  function renderLinkPage() {
    const p = LINK_PAGES[linkPage];
    $("#link-title").textContent = t(p.title);
    $("#link-submit").textContent = t(p.submit);
    $("#link-password").hidden = p.field !== "password";
    $("#link-pin").hidden = p.field !== "pin";
  }
  function openLinkPage(path) {
    linkPage = path;
    // Keep the token in memory and out of the address bar and history.
    linkToken = new URLSearchParams(location.search).get("token");
    history.replaceState(null, "", "/");
    renderLinkPage();
    show("link");
    if (!linkToken) fail($("#link-form"), { detail: t("link.missing") });
    else if (path === "/verify-email") $("#link-form").requestSubmit();
  }
  $("#link-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const form = ev.target;
    const p = LINK_PAGES[linkPage];
    busy(form, async () => {
      const body = { token: linkToken };
      if (p.field === "password") body.new_password = $("#link-new-password").value;
      if (p.field === "pin") body.new_pin = $("#link-new-pin").value;
      await call("POST", p.path, body, { noAuth: true });
      const done = $(".done", form);
      done.textContent = t(p.done);
      done.hidden = false;
      $("#link-submit").hidden = true;
      say(t(p.done));
    });
  });

  // ---- sign in ----
  // Three ways in: a password, a code by email, or a code by SMS to a
  // mobile number (the account is then named by "phone", not "identifier").
  function loginMethod() { return $("input[name=method]:checked").value; }
  function renderLoginMethod() {
    endTextedCodeWait();
    const method = loginMethod();
    const sms = method === "sms";
    $("#password-part").hidden = method !== "password";
    $("#code-part").hidden = method === "password";
    $("#email-part").hidden = sms;
    $("#phone-part").hidden = !sms;
    $("#forgot-part").hidden = sms;
    const send = $("#send-code");
    send.dataset.i18n = sms ? "login.textCode" : "login.sendCode";
    send.textContent = t(send.dataset.i18n);
  }
  document.querySelectorAll("input[name=method]").forEach((r) => r.addEventListener("change", renderLoginMethod));
  function who() {
    return loginMethod() === "sms" ? { phone: $("#login-phone").value } : { identifier: $("#login-email").value };
  }
  $("#send-code").addEventListener("click", () => {
    const form = $("#login-form");
    busy(form, async () => {
      const fields = deviceFields();
      await call("POST", "/otp/request", Object.assign(who(), { device_fingerprint: fields.device_fingerprint || "" }), { noAuth: true });
      say(t(loginMethod() === "sms" ? "login.codeTexted" : "login.codeSent"));
      $("#login-code").focus();
      if (loginMethod() === "sms") awaitTextedCode($("#login-code"), form);
    });
  });
  $("#forgot").addEventListener("click", () => {
    busy($("#login-form"), async () => {
      await call("POST", "/password/reset/request", { identifier: $("#login-email").value }, { noAuth: true });
      say(t("login.resetSent"));
    });
  });
  $("#login-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    endTextedCodeWait();
    busy(ev.target, async () => {
      const body = Object.assign(who(), deviceFields());
      let res;
      if (loginMethod() !== "password") {
        body.otp_code = $("#login-code").value;
        res = await call("POST", "/otp/verify", body, { noAuth: true });
      } else {
        body.password = $("#login-password").value;
        res = await call("POST", "/login", body, { noAuth: true });
      }
      access = res.access_token;
      $("#login-password").value = "";
      $("#login-code").value = "";
      await home();
    });
  });

  // ---- home ----
  async function home() {
    me = await call("GET", "/me");
    renderMe();
    $("#sessions").replaceChildren();
    $("#export-ready").hidden = true;
    await loadConsents();
    show("home");
  }
  function renderMe() {
    $("#whoami").textContent = t("home.signedInAs", { email: me.email || me.phone });
    $("#trust-words").textContent = t("trust." + me.trust);
  }
  // After a step-up the session's trust may have changed (a new device is
  // known now): a fresh access token says so.
  async function refreshTrust() {
    if (await refresh()) {
      me = await call("GET", "/me");
      renderMe();
    }
  }

  // ---- PIN and app lock ----
  $("#pin-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const form = ev.target;
    busy(form, async () => {
      await call("POST", "/pin/set", { pin: $("#pin-new").value });
      form.reset();
      say(t("pin.saved"));
    });
  });
  $("#lock-now").addEventListener("click", () => lock());
  // The lock outlives a reload: only the PIN (or signing out) lifts it.
  function lock() {
    access = null; // nothing usable stays in the page while it is locked
    localStorage.setItem("ba-locked", "1");
    show("lock");
    $("#unlock-pin").focus();
  }
  $("#unlock-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const form = ev.target;
    busy(form, async () => {
      if (!access && !(await refresh())) { show("login"); return; }
      const pin = $("#unlock-pin");
      try {
        await call("POST", "/pin/verify", { pin: pin.value }, { steppedUp: true });
      } finally {
        pin.value = ""; // a wrong PIN is typed again from scratch
      }
      localStorage.removeItem("ba-locked");
      await home();
    });
  });
  $("#lock-logout").addEventListener("click", () => logout());

  // ---- step-up ----
  let stepUpDone = null;
  function stepUp() {
    const dlg = $("#stepup");
    // An account without an email gets its step-up code by SMS.
    const sms = me && !me.email;
    $("#stepup-why").dataset.i18n = sms ? "stepup.whySMS" : "stepup.why";
    $("#stepup-send").dataset.i18n = sms ? "login.textCode" : "login.sendCode";
    dlg.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    dlg.querySelectorAll("form").forEach((f) => f.reset());
    fail(dlg.querySelector("p.error"), null);
    dlg.showModal();
    $("#stepup-title").focus();
    return new Promise((resolve) => { stepUpDone = resolve; });
  }
  function endStepUp(ok) {
    $("#stepup").close();
    const done = stepUpDone;
    stepUpDone = null;
    if (done) done(ok);
  }
  async function confirmStepUp(form, path, body) {
    const err = $("#stepup p.error");
    fail(err, null);
    try {
      await call("POST", path, body, { steppedUp: true });
      await refreshTrust();
      say("");
      endStepUp(true);
    } catch (e) { fail(err, e); }
  }
  $("#stepup-pin-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    confirmStepUp(ev.target, "/pin/verify", { pin: $("#stepup-pin").value });
  });
  $("#stepup-send").addEventListener("click", async () => {
    const err = $("#stepup p.error");
    try {
      await call("POST", "/step-up/request", undefined, { steppedUp: true });
      say(t("login.codeSent"));
      $("#stepup-code").focus();
    } catch (e) { fail(err, e); }
  });
  $("#stepup-code-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    confirmStepUp(ev.target, "/step-up/verify", { otp_code: $("#stepup-code").value });
  });
  $("#stepup-cancel").addEventListener("click", () => endStepUp(false));
  $("#stepup").addEventListener("cancel", (ev) => { ev.preventDefault(); endStepUp(false); }); // Escape

  // ---- sessions ----
  $("#load-sessions").addEventListener("click", () => loadSessions());
  async function loadSessions() {
    const err = $("#sessions-error");
    fail(err, null);
    try {
      const res = await call("GET", "/sessions");
      $("#sessions").replaceChildren(...res.sessions.map(sessionItem));
    } catch (e) { fail(err, e); }
  }
  function sessionItem(s) {
    const li = document.createElement("li");
    if (s.current) li.dataset.current = "";
    const what = document.createElement("p");
    const tags = [];
    if (s.current) tags.push(t("sessions.current"));
    if (s.is_public_device) tags.push(t("sessions.public"));
    if (s.is_verified_device) tags.push(t("sessions.trusted"));
    what.textContent = shortAgent(s.device_info) + (tags.length ? " · " + tags.join(", ") : "");
    const when = document.createElement("p");
    when.className = "hint";
    when.textContent = t("sessions.since", { date: date(s.created_at) }) + ", " + t("sessions.until", { date: date(s.expires_at) }) +
      (s.ip_address ? " · " + s.ip_address : "");
    const revoke = document.createElement("button");
    revoke.type = "button";
    revoke.className = "secondary";
    revoke.textContent = t("sessions.revoke");
    revoke.addEventListener("click", async () => {
      try {
        await call("DELETE", "/sessions/" + encodeURIComponent(s.id));
        if (s.current) { signedOut(); return; }
        say(t("sessions.revoked"));
        await loadSessions();
        $("#load-sessions").focus();
      } catch (e) { fail($("#sessions-error"), e); }
    });
    li.append(what, when, revoke);
    return li;
  }
  function shortAgent(ua) {
    const m = /(Firefox|Edg|Chrome|Chromium|Safari)\/[\d.]+/.exec(ua || "");
    return m ? m[0] : (ua || "?").slice(0, 40);
  }
  function date(s) {
    return s ? new Date(s).toLocaleString(lang === "hi" ? "hi-IN" : "en-IN", { dateStyle: "medium", timeStyle: "short" }) : "";
  }

  // ---- consent dashboard ----
  async function loadConsents() {
    const res = await call("GET", "/privacy/consents");
    $("#consents").replaceChildren(...res.data.map((c) => {
      const li = switchItem("consent-" + c.category, { name: c.category, required: c.required }, c.granted);
      const input = $("input", li);
      input.addEventListener("change", async () => {
        const err = $("#consents-error");
        fail(err, null);
        const path = input.checked ? "/privacy/consent/grant" : "/privacy/consent/withdraw";
        try {
          await call("POST", path, { category: c.category });
          say(t(input.checked ? "privacy.granted" : "privacy.withdrawn", { category: t("cat." + c.category) }));
        } catch (e) {
          input.checked = !input.checked; // the switch shows what is recorded
          fail(err, e);
        }
      });
      return li;
    }));
  }

  // ---- export ----
  $("#export").addEventListener("click", async () => {
    const err = $("#export-error");
    fail(err, null);
    try {
      const doc = await call("GET", "/privacy/export");
      const link = $("#export-link");
      if (link.href.startsWith("blob:")) URL.revokeObjectURL(link.href);
      link.href = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" }));
      $("#export-ready").hidden = false;
      link.focus();
      link.click();
    } catch (e) { fail(err, e); }
  });

  // ---- sign out ----
  $("#logout").addEventListener("click", () => logout());
  async function logout() {
    try { await call("POST", "/logout", undefined, { noAuth: true }); } catch (e) { /* signed out here anyway */ }
    signedOut();
  }
  function signedOut() {
    access = null;
    me = null;
    localStorage.removeItem("ba-locked");
    show("login");
    say(t("signedOut"));
  }

  // ---- navigation and start ----
  document.querySelectorAll("[data-go]").forEach((b) => b.addEventListener("click", () => show(b.dataset.go)));
  $("#lang").addEventListener("change", (ev) => {
    lang = ev.target.value;
    localStorage.setItem("ba-lang", lang);
    applyLanguage();
    loadNotice();
  });

  async function start() {
    lang = localStorage.getItem("ba-lang") === "hi" ? "hi" : "en";
    $("#lang").value = lang;
    applyLanguage();
    loadNotice();
    if (LINK_PAGES[location.pathname]) { openLinkPage(location.pathname); return; }
    if (await refresh()) {
      if (localStorage.getItem("ba-locked")) { lock(); return; }
      try { await home(); return; } catch (e) { access = null; }
    }
    localStorage.removeItem("ba-locked");
    show("login");
  }
  start();
})();
