// The sandbox page. Everything the bot or a person wrote is inserted as
// text nodes; formatting comes from the message entities, turned into a
// short list of elements. Nothing is ever assigned to innerHTML.
"use strict";

const $ = (sel) => document.querySelector(sel);
const app = {
  lang: "vi",
  strings: {},
  version: 0,
  state: null,
  current: null, // the open chat's id
  seen: {}, // chat id -> the bot's message count seen
  rendered: new Map(), // message id -> {sig, node}
  ticket: "", // the code shown in the timeline
  tickets: [], // the newest tickets, newest first
  missing: "", // a code asked for that has no ticket
  ticketLoads: 0, // loadTicket requests started
  stateAt: 0, // Date.now() when the state came
  busy: false,
  keyHeld: null, // {chat, bot, until}: a reply keyboard waiting for the bot's answer
  loads: 0, // loadChat requests started
  shown: 0, // the latest one rendered
};

// --- small helpers --------------------------------------------------------

function t(key, vars) {
  let s = app.strings[key] ?? key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace("{" + k + "}", v);
  return s;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

async function api(path, opts = {}) {
  const headers = { "X-Danvan-Sandbox": "1" };
  if (opts.json !== undefined) {
    headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(opts.json);
  }
  const res = await fetch("api/" + path, { method: opts.method || "GET", headers, body: opts.body });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.error || res.statusText), { code: data.code });
  return data;
}

let toastTimer;
function toast(text, alert) {
  const box = $("#toast");
  box.textContent = text;
  box.classList.toggle("alert", !!alert);
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), alert ? 6000 : 3500);
}

// errorText is an error as the page says it: in its own language when the
// API gave a code it has a message for, else the API's own words.
function errorText(err) {
  const key = "error." + err.code;
  return err.code && app.strings[key] ? t(key) : err.message || String(err);
}

function fail(err) {
  toast(t("error", { msg: errorText(err) }), true);
}

const zone = "Asia/Ho_Chi_Minh";
function locale() {
  return app.lang === "vi" ? "vi-VN" : "en-GB";
}
function fmt(iso, opts) {
  return new Intl.DateTimeFormat(locale(), { timeZone: zone, ...opts }).format(new Date(iso));
}
const fmtTime = (iso) => fmt(iso, { hour: "2-digit", minute: "2-digit" });
const fmtDay = (iso) => fmt(iso, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
const fmtFull = (iso) => fmt(iso, { weekday: "short", day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" });

function initials(name) {
  const words = name.split(/\s+/).filter(Boolean);
  return ((words[0] || "?")[0] + (words.length > 1 ? words[words.length - 1][0] : "")).toUpperCase();
}

// --- formatted text -------------------------------------------------------

const safeProtocols = ["http:", "https:", "mailto:", "tg:"];
function safeURL(u) {
  try {
    const url = new URL(u, location.href);
    return safeProtocols.includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

// elementFor maps an entity to an element, or null to keep plain text.
function elementFor(e, text) {
  switch (e.type) {
    case "bold": return el("b");
    case "italic": return el("i");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "code": return el("code");
    case "pre": return el("pre");
    case "text_link":
    case "url": {
      const href = safeURL(e.type === "url" ? text : e.url);
      return href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }) : null;
    }
    case "bot_command": {
      const cmd = text;
      return el("a", { href: "#", class: "cmd", onclick: (ev) => { ev.preventDefault(); sendText(cmd); } });
    }
  }
  return null;
}

const codePattern = /PA-\d{4}-\d{6}/g;
// appendText adds plain text, making ticket codes open the timeline.
function appendText(parent, text) {
  let last = 0;
  for (const m of text.matchAll(codePattern)) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    const code = m[0];
    parent.append(el("button", { type: "button", class: "code-link", title: t("timeline.title"),
      onclick: () => showTicket(code) }, code));
    last = m.index + code.length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

// formatted renders text with its entities (offsets in UTF-16 units, as
// JavaScript strings count) as nested elements.
function formatted(text, entities) {
  const root = document.createDocumentFragment();
  const ents = (entities || []).slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
  const stack = [{ node: root, end: text.length }];
  let pos = 0;
  const flush = (to) => {
    while (pos < to) {
      const top = stack[stack.length - 1];
      const next = Math.min(to, top.end);
      if (next > pos) {
        appendText(top.node, text.slice(pos, next));
        pos = next;
      }
      if (pos >= top.end && stack.length > 1) stack.pop();
    }
    while (stack.length > 1 && stack[stack.length - 1].end <= pos) stack.pop();
  };
  for (const e of ents) {
    flush(e.offset);
    const top = stack[stack.length - 1];
    const end = Math.min(e.offset + e.length, top.end);
    if (e.offset < pos || end <= e.offset) continue; // overlaps oddly: keep as text
    const node = elementFor(e, text.slice(e.offset, end));
    if (!node) continue;
    top.node.append(node);
    stack.push({ node, end });
  }
  flush(text.length);
  return root;
}

// --- chat list --------------------------------------------------------------

// shortUnit abbreviates "Ủy ban nhân dân" as people write it, so that
// the ward's name fits in the list.
function shortUnit(name) {
  return (name || "").replace(/^Ủy ban nhân dân/, "UBND").replace(/^Ủy ban Mặt trận Tổ quốc Việt Nam/, "MTTQ");
}

function chatSubtitle(c) {
  if (c.kind === "citizen") return t("role.citizen") + (c.phone ? " · " + c.phone : "");
  if (c.kind === "group") return shortUnit(c.unit_name);
  return t("role." + c.kind) + " · " + shortUnit(c.unit_name);
}

function avatarText(c) {
  return c.kind === "group" ? "#" : initials(c.title);
}

function chatItem(c) {
  const unread = c.id === app.current ? 0 : c.count - (app.seen[c.id] || 0);
  return el("button", { type: "button", class: "chat-item" + (c.id === app.current ? " active" : ""),
    "data-chat-id": c.id, "data-kind": c.kind, "data-unit": c.unit, onclick: () => openChat(c.id) },
    el("div", { class: "avatar " + c.kind }, avatarText(c)),
    el("div", { class: "chat-item-body" },
      el("div", { class: "chat-item-name" }, c.title),
      el("div", { class: "chat-item-sub" }, chatSubtitle(c)),
      c.last ? el("div", { class: "chat-item-last" }, c.last) : null),
    unread > 0 ? el("span", { class: "badge" }, String(unread)) : null);
}

function renderSidebar() {
  const nav = $("#chats");
  const open = nav.querySelector("details")?.open;
  const chats = app.state.chats;
  const section = (key, list) => (list.length ? [el("h3", {}, t(key)), ...list.map(chatItem)] : []);
  const others = chats.filter((c) => c.kind === "officer" && !c.featured);
  const othersUnread = others.some((c) => c.count > (app.seen[c.id] || 0) && c.id !== app.current);
  const details = el("details", { open: open || others.some((c) => c.id === app.current) },
    el("summary", {}, t("section.others", { n: others.length }), othersUnread ? " ●" : ""),
    ...others.map(chatItem));
  nav.replaceChildren(
    ...section("section.citizens", chats.filter((c) => c.kind === "citizen")),
    ...section("section.group", chats.filter((c) => c.kind === "group")),
    ...section("section.leaders", chats.filter((c) => c.kind === "leader")),
    ...section("section.officers", chats.filter((c) => c.kind === "officer" && c.featured)),
    details);
}

function chatById(id) {
  return app.state?.chats.find((c) => c.id === id);
}

// --- one chat ----------------------------------------------------------------

async function openChat(id) {
  app.current = id;
  app.rendered.clear();
  $("#messages").replaceChildren();
  renderReplying(null);
  $("#commands-menu").hidden = true;
  localStorage.setItem("danvan-sandbox-chat", String(id));
  const c = chatById(id);
  $("#chat-title").textContent = c.title;
  $("#chat-subtitle").textContent = c.kind === "group"
    ? t("group.as", { name: groupActor(c) }) : chatSubtitle(c);
  const avatar = $("#chat-avatar");
  avatar.className = "avatar " + c.kind;
  avatar.textContent = avatarText(c);
  renderSidebar();
  await loadChat(true);
  $("#text-input").focus();
}

function groupActor(group) {
  const officer = app.state.chats.find((c) => c.kind === "officer" && c.unit === group.unit);
  return officer ? officer.title : "";
}

async function loadChat(scrollDown) {
  const id = app.current;
  if (id === null) return;
  // Several loads may be under way (the long poll, an action's own
  // reload): an older answer arriving last must not undo a newer one.
  const seq = ++app.loads;
  let data;
  try {
    data = await api("chats/" + id);
  } catch (err) {
    return fail(err);
  }
  if (id !== app.current || seq < app.shown) return;
  app.shown = seq;
  const box = $("#messages");
  const atBottom = scrollDown || box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  const botCount = data.messages.filter((m) => m.from_bot).length;
  renderMessages(data.messages);
  renderKeyboard(data.keyboard, keyboardHeld(botCount));
  renderReplying(data.replying_to);
  renderCommands(data.commands || []);
  const c = chatById(id);
  if (c) {
    app.seen[id] = botCount;
    renderSidebar();
  }
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function renderMessages(messages) {
  const box = $("#messages");
  const c = chatById(app.current);
  if (!messages.length) {
    box.replaceChildren(el("div", { class: "empty" }, t(c && c.kind === "citizen" ? "chat.empty" : "chat.empty_staff")));
    app.rendered.clear();
    return;
  }
  box.querySelector(".empty")?.remove();
  const keep = new Set();
  let prev = null; // the node after which the next one goes
  let lastDay = "";
  for (const m of messages) {
    const day = fmtDay(m.date);
    if (day !== lastDay) {
      lastDay = day;
      const key = "day:" + day;
      keep.add(key);
      prev = place(box, key, day, () => el("div", { class: "day" }, day), prev);
    }
    const key = "msg:" + m.id;
    keep.add(key);
    prev = place(box, key, JSON.stringify(m) + app.lang, () => messageNode(m), prev);
  }
  for (const [key, r] of app.rendered) {
    if (!keep.has(key)) {
      r.node.remove();
      app.rendered.delete(key);
    }
  }
}

// place puts the node for key right after prev, rebuilding it only when
// its signature changed: an edited message is replaced where it stands.
function place(box, key, sig, build, prev) {
  let r = app.rendered.get(key);
  if (!r || r.sig !== sig) {
    const node = build();
    node.dataset.key = key;
    if (r) r.node.replaceWith(node);
    r = { sig, node };
    app.rendered.set(key, r);
  }
  const want = prev ? prev.nextSibling : box.firstChild;
  if (want !== r.node) box.insertBefore(r.node, want);
  return r.node;
}

function messageNode(m) {
  const bubble = el("div", { class: "bubble" });
  if (m.sender) bubble.append(el("div", { class: "sender" }, m.sender));
  if (m.reply_to) bubble.append(quoteNode(m.reply_to));
  if (m.photo) {
    const full = "api/file/" + encodeURIComponent(m.photo.full_id);
    bubble.append(el("img", { class: "photo", src: "api/file/" + encodeURIComponent(m.photo.file_id), alt: "",
      width: m.photo.width, height: m.photo.height, onclick: () => window.open(full, "_blank", "noopener") }));
  }
  if (m.document) {
    // A chart sent as a file is previewed, as Telegram does for images.
    if (/^image\/(png|jpeg|gif|webp)$/.test(m.document.mime || "")) {
      bubble.append(el("img", { class: "photo", alt: "", src: "api/file/" + encodeURIComponent(m.document.file_id) }));
    }
    const href = "api/file/" + encodeURIComponent(m.document.file_id) + "?download=1&name=" + encodeURIComponent(m.document.name || "file");
    bubble.append(el("a", { class: "doc", href, download: m.document.name || "file" },
      el("span", { class: "doc-icon" }, "⬇"),
      el("span", {}, el("div", { class: "doc-name" }, m.document.name || "file"),
        el("div", { class: "doc-size" }, sizeText(m.document.size) + " · " + t("msg.download")))));
  }
  if (m.location) {
    bubble.append(el("div", {}, "📍 " + t("msg.location") + ": " + m.location.latitude.toFixed(4) + ", " + m.location.longitude.toFixed(4)));
  }
  if (m.contact) {
    bubble.append(el("div", {}, "📞 " + t("msg.contact") + ": " + [m.contact.first_name, m.contact.phone_number].join(" · ")));
  }
  if (m.text) bubble.append(formatted(m.text, m.entities));
  if (m.caption) bubble.append(el("div", {}, formatted(m.caption, m.caption_entities)));
  bubble.append(el("span", { class: "meta" }, (m.edited ? t("msg.edited") + " " : "") + fmtTime(m.date) + (m.from_bot ? "" : " ✓✓")));
  const node = el("div", { class: "msg " + (m.from_bot ? "in" : "out"), "data-id": m.id }, bubble);
  if (m.buttons && m.buttons.length) {
    const kb = el("div", { class: "inline-kb" });
    for (const row of m.buttons) {
      kb.append(el("div", { class: "row" }, ...row.map((b) => inlineButton(m, b))));
    }
    node.append(kb);
  }
  return node;
}

// quoteNode is the message a reply answers, on one line under its sender.
function quoteNode(q) {
  return el("div", { class: "quote", "data-reply-to": q.id }, el("b", {}, q.sender), q.text);
}

// renderReplying shows, over the composer, the bot's prompt the next
// message answers: Telegram's apps open a reply to a force_reply message
// meant for their user, and the sandbox sends it as such a reply.
function renderReplying(q) {
  const bar = $("#replying");
  if (!q) {
    bar.hidden = true;
    bar.replaceChildren();
    return;
  }
  const quote = quoteNode(q);
  quote.firstChild.textContent = t("composer.replying", { name: q.sender });
  bar.replaceChildren(el("span", { class: "reply-icon", "aria-hidden": "true" }, "↩"), quote);
  bar.hidden = false;
}

function inlineButton(m, b) {
  if (b.url) {
    const href = safeURL(b.url);
    return href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, b.text + " ↗") : el("button", { disabled: true }, b.text);
  }
  return el("button", { type: "button", disabled: !b.callback, onclick: (ev) => press(m.id, b.text, ev.currentTarget) }, b.text);
}

function sizeText(n) {
  if (!n) return "";
  return n < 1024 * 1024 ? Math.max(1, Math.round(n / 1024)) + " KB" : (n / 1024 / 1024).toFixed(1) + " MB";
}

// A reply keyboard button gives one answer: after a press the keyboard
// waits for the bot's next message (or a few seconds if none comes), so a
// double click does not also answer the next question.
function keyboardHeld(botCount) {
  const held = app.keyHeld;
  if (!held || held.chat !== app.current) return false;
  if (botCount > held.bot || Date.now() > held.until) {
    app.keyHeld = null;
    return false;
  }
  return true;
}

function holdKeyboard() {
  const held = { chat: app.current, bot: app.seen[app.current] || 0, until: Date.now() + 8000 };
  app.keyHeld = held;
  for (const b of $("#reply-keyboard").querySelectorAll("button")) b.disabled = true;
  setTimeout(() => {
    if (app.keyHeld === held) loadChat(false);
  }, 8100);
}

function renderKeyboard(kb, held) {
  const box = $("#reply-keyboard");
  if (!kb || !kb.rows || !kb.rows.length) {
    box.hidden = true;
    box.replaceChildren();
    $("#text-input").placeholder = t("composer.placeholder");
    return;
  }
  box.replaceChildren(...kb.rows.map((row) => el("div", { class: "row" }, ...row.map((b) =>
    el("button", { type: "button", disabled: held, onclick: () => keyboardButton(b) }, b.text)))));
  box.hidden = false;
  $("#text-input").placeholder = kb.placeholder || t("composer.placeholder");
}

function renderCommands(cmds) {
  const menu = $("#commands-menu");
  menu.replaceChildren(...cmds.map((c) => el("button", { type: "button", onclick: () => {
    menu.hidden = true;
    const input = $("#text-input");
    input.value = "/" + c.command + " ";
    input.focus();
  } }, el("b", {}, "/" + c.command), c.description)));
  $("#menu-btn").hidden = cmds.length === 0;
}

// --- acting in a chat -------------------------------------------------------

async function act(path, opts) {
  try {
    return await api("chats/" + app.current + "/" + path, { method: "POST", ...opts });
  } catch (err) {
    fail(err);
    return null;
  } finally {
    loadChat(true);
  }
}

function sendText(text) {
  text = text.trim();
  if (text) return act("send", { json: { text } });
}

async function press(messageID, text, button) {
  button.disabled = true;
  const res = await act("press", { json: { message_id: messageID, text } });
  button.disabled = false;
  if (res && res.answer) toast(res.answer, res.alert);
}

function keyboardButton(b) {
  holdKeyboard();
  if (b.location) return act("location", {});
  if (b.contact) return act("contact", {});
  return sendText(b.text);
}

async function sendPhoto(file) {
  const form = new FormData();
  form.append("photo", file);
  const input = $("#text-input");
  const caption = input.value;
  if (caption.trim()) form.append("caption", caption.trim());
  input.value = "";
  if ((await act("photo", { body: form })) === null) keepTyped(caption);
}

// keepTyped puts back what a failed send took from the text box (a text
// over Telegram's limit, a caption with a photo too large...), unless
// something new was typed meanwhile.
function keepTyped(text) {
  const input = $("#text-input");
  if (!input.value) input.value = text;
}

// --- sandbox controls ---------------------------------------------------------

// renderClock shows the sandbox's clock, which runs between two answers
// of the long poll: it is rendered after each and every few seconds.
function renderClock() {
  const s = app.state;
  $("#clock-now").textContent = fmtFull(Date.parse(s.now) + (Date.now() - app.stateAt));
  $("#clock-offset").textContent = s.workdays ? t("clock.advanced", { n: s.workdays }) : "";
  $("#digest-btn").hidden = !s.digest;
}

function jobNames(ran) {
  return ran.length ? ran.map((j) => t("job." + j)).join(", ") : t("jobs.none");
}

async function advance(ev) {
  ev.preventDefault();
  const btn = $("#advance-btn");
  btn.disabled = true;
  try {
    const res = await api("clock/advance", { method: "POST", json: { workdays: Number($("#advance-days").value) } });
    toast(t("clock.done", { now: fmtFull(res.now), jobs: jobNames(res.ran) }));
  } catch (err) {
    fail(err);
  } finally {
    btn.disabled = false;
  }
}

async function digest() {
  const btn = $("#digest-btn");
  btn.disabled = true;
  try {
    const res = await api("digest", { method: "POST", json: {} });
    toast(t(res.ran.length ? "digest.done" : "digest.again"));
  } catch (err) {
    fail(err);
  } finally {
    btn.disabled = false;
  }
}

// --- timeline ----------------------------------------------------------------

async function loadTickets() {
  let list;
  try {
    list = await api("tickets");
  } catch {
    return;
  }
  app.tickets = list;
  // With no ticket at all, a code asked for (or one shown before
  // `danvan demo -reset`) has none either.
  if (!list.length && app.ticket) [app.missing, app.ticket] = [app.ticket, ""];
  if (!app.ticket && list.length) app.ticket = list[0].code;
  renderTicketSelect();
  if (!list.length) {
    $("#ticket-detail").replaceChildren(...missingNote(), el("p", { class: "muted" }, t("timeline.none")));
    return;
  }
  await loadTicket();
}

// renderTicketSelect lists the newest tickets, and the one shown when it
// is older than they are.
function renderTicketSelect() {
  const list = app.tickets.slice();
  if (app.ticket && !list.some((tk) => tk.code === app.ticket)) list.push({ code: app.ticket });
  $("#ticket-select").replaceChildren(el("option", { value: "" }, t("timeline.pick")),
    ...list.map((tk) => el("option", { value: tk.code, selected: tk.code === app.ticket },
      tk.code + (tk.status ? " · " + t("status." + tk.status) : "") + (tk.unit ? " · " + tk.unit : ""))));
}

// missingNote says that a code asked for has no ticket.
function missingNote() {
  return app.missing ? [el("p", { class: "notice", role: "status" }, t("error.ticket_not_found", { code: app.missing }))] : [];
}

function showTicket(code) {
  app.ticket = code;
  app.missing = "";
  loadTickets();
}

async function loadTicket() {
  const detail = $("#ticket-detail");
  const code = app.ticket;
  if (!code) return detail.replaceChildren(...missingNote());
  // The long poll and a click may both load: only the latest is shown.
  const seq = ++app.ticketLoads;
  let tk;
  try {
    tk = await api("tickets/" + encodeURIComponent(code) + "?lang=" + app.lang);
  } catch (err) {
    if (seq !== app.ticketLoads) return;
    if (err.code !== "ticket_not_found") {
      return detail.replaceChildren(el("p", { class: "muted" }, t("error", { msg: errorText(err) })));
    }
    // A code a person typed, or one from before `danvan demo -reset`:
    // say so, and show the newest ticket instead.
    app.missing = code;
    const newest = app.tickets.find((tk) => tk.code !== code);
    app.ticket = newest ? newest.code : "";
    renderTicketSelect();
    return loadTicket();
  }
  if (seq !== app.ticketLoads) return;
  const now = new Date(app.state.now);
  const overdue = tk.due_at && !tk.answered_at && !tk.closed_at && new Date(tk.due_at) < now;
  const facts = el("dl", { class: "facts" });
  const fact = (key, value, cls) => value && facts.append(el("dt", {}, t(key)), el("dd", { class: cls }, value));
  fact("field.kind", t("kind." + tk.kind));
  fact("field.unit", tk.unit);
  fact("field.category", tk.category);
  fact("field.area", tk.area);
  fact("field.created", fmtFull(tk.created_at));
  fact("field.due", tk.due_at && fmtFull(tk.due_at) + (overdue ? " — " + t("overdue") : ""), overdue ? "overdue" : null);
  fact("field.answered", tk.answered_at && fmtFull(tk.answered_at));
  fact("field.closed", tk.closed_at && fmtFull(tk.closed_at));
  fact("field.rating", tk.rating && "★".repeat(tk.rating) + "☆".repeat(5 - tk.rating));
  const events = el("ol", { class: "events" }, ...tk.events.map((e) => {
    const change = [];
    if (e.from_status && e.to_status && e.from_status !== e.to_status) change.push(t("status." + e.from_status) + " → " + t("status." + e.to_status));
    if (e.to_unit && e.to_unit !== e.from_unit) change.push((e.from_unit ? e.from_unit + " → " : "→ ") + e.to_unit);
    return el("li", { class: e.internal ? "internal" : "" },
      el("div", { class: "ev-title" }, t("event." + e.kind), e.internal ? el("span", { class: "tag" }, t("internal")) : null),
      el("div", { class: "ev-meta" }, fmtFull(e.at) + " · " + (e.actor_name || t("actor." + e.actor))),
      change.length ? el("div", { class: "ev-meta" }, change.join(" · ")) : null,
      e.body ? el("div", { class: "ev-body" }, e.body) : null);
  }));
  detail.replaceChildren(...missingNote(),
    el("div", { class: "ticket-head" }, el("span", { class: "ticket-code" }, tk.code),
      el("span", { class: "status " + tk.status }, t("status." + tk.status))),
    facts, el("div", { class: "description" }, tk.description), events);
}

// --- language ------------------------------------------------------------------

// The page speaks the sandbox's language (danvan demo -lang), or the one
// chosen with the switch while the sandbox had that same default: a
// choice made in an earlier sandbox does not override a new -lang.
const langKey = "danvan-sandbox-lang";
function pageLang(sandboxLang) {
  try {
    const saved = JSON.parse(localStorage.getItem(langKey));
    if (saved && saved.sandbox === sandboxLang && ["vi", "en"].includes(saved.lang)) return saved.lang;
  } catch {
    // an older page stored a bare "vi" or "en": the sandbox's wins
  }
  return sandboxLang;
}

async function setLang(lang, chosen) {
  const res = await fetch("i18n/" + lang + ".json");
  if (!res.ok) throw new Error(res.statusText);
  app.strings = await res.json();
  app.lang = lang;
  if (chosen) localStorage.setItem(langKey, JSON.stringify({ lang, sandbox: app.state.lang }));
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
  $("#sandbox-label").title = t("sandbox.title");
  for (const b of document.querySelectorAll(".lang button")) b.classList.toggle("active", b.dataset.lang === lang);
  $("#toast").hidden = true;
  if (app.state) {
    renderClock();
    renderSidebar();
    if (app.current !== null) await openChat(app.current);
    await loadTickets();
  }
}

// --- the long poll -------------------------------------------------------------

async function poll() {
  for (;;) {
    try {
      const res = await fetch("api/state?since=" + app.version, { cache: "no-store" });
      if (!res.ok) throw new Error(res.statusText);
      const state = await res.json();
      const changed = state.version !== app.version;
      app.state = state;
      app.stateAt = Date.now();
      app.version = state.version;
      renderClock();
      if (changed) {
        renderSidebar();
        await loadChat(false);
        loadTickets();
      }
    } catch {
      toast(t("offline"), true);
      await new Promise((r) => setTimeout(r, 1500));
    }
  }
}

async function start() {
  const first = await (await fetch("api/state", { cache: "no-store" })).json();
  app.state = first;
  app.stateAt = Date.now();
  app.version = first.version;
  await setLang(pageLang(first.lang));
  for (const c of first.chats) app.seen[c.id] = 0;
  renderClock();
  const saved = Number(localStorage.getItem("danvan-sandbox-chat"));
  await openChat(chatById(saved) ? saved : first.chats[0].id);
  loadTickets();

  $("#composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("#text-input");
    const text = input.value;
    input.value = "";
    if ((await sendText(text)) === null) keepTyped(text);
  });
  $("#photo-input").addEventListener("change", (ev) => {
    const file = ev.target.files[0];
    ev.target.value = "";
    if (file) sendPhoto(file);
  });
  $("#menu-btn").addEventListener("click", () => ($("#commands-menu").hidden = !$("#commands-menu").hidden));
  $("#advance-form").addEventListener("submit", advance);
  $("#digest-btn").addEventListener("click", digest);
  $("#ticket-select").addEventListener("change", (ev) => {
    app.ticket = ev.target.value;
    app.missing = "";
    loadTicket();
  });
  setInterval(renderClock, 5000);
  for (const b of document.querySelectorAll(".lang button")) b.addEventListener("click", () => setLang(b.dataset.lang, true).catch(fail));
  poll();
}

start().catch(fail);
