// The sandbox page: Slack's surfaces drawn from the bot's own Block Kit.
// Every piece of data reaches the page through textContent or attributes, never innerHTML.
"use strict";

const GUIDE = [
  ["Create a program", "UADMIN0001", "CADMINS001", "/mentor admin program create",
    "As Ada (the admin), in #mentoring-admins. Name it, pick #mentoring-admins as its admin channel, and Save."],
  ["Six people join", "UMAYA00001", "C0GENERAL", "/mentor join",
    "Switch people with “You are”. Mentors offer skills, mentees pick goals; tick the consent box. Maya, Leo and Priya could mentor; Nina, Sam and Arjun could be mentees."],
  ["Run a round", "UADMIN0001", "CADMINS001", "/mentor admin round",
    "As Ada, in #mentoring-admins. The preview appears there: read who is matched and why, then Approve."],
  ["Meet the intros", "UNINA00001", null, null,
    "Each pair gets a group DM saying why they were matched. Intros land in both people's working hours: if none is there yet, press “Skip to next delivery”."],
  ["Answer a check-in", "UNINA00001", null, null,
    "Press “+1 week” twice (check-ins come every two weeks by default): the pair's group DM asks whether they met. Click “Yes, we met”."],
  ["Answer a pulse", "UNINA00001", null, null,
    "Press “+1 day”: after a first meeting, the pulse survey arrives in the DM with mentorbot. Open it and answer (it closes after a week)."],
  ["See the report", "UADMIN0001", "CADMINS001", "/mentor admin report",
    "As Ada, in #mentoring-admins: the program's numbers and its chart."],
];

const state = { people: [], you: null, channel: null, home: false, last: null, busy: false,
  modalKey: null, itemsKey: null, sidebar: [] };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function personName(id) {
  const found = state.people.find((p) => p.id === id);
  return found ? found.name : id;
}

function channelName(id) {
  const found = state.sidebar.find((c) => c.id === id);
  return found ? found.label : id;
}

function unescape(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

// Slack's mrkdwn: *bold*, _italic_, ~strike~, `code`, <@U…>, <#C…|name>, <!date^…|fallback>, <url|text>.
function mrkdwn(text) {
  const out = document.createDocumentFragment();
  const parts = String(text || "").split(/(<[^<>]+>)/);
  for (const part of parts) {
    if (part.startsWith("<") && part.endsWith(">")) {
      out.append(special(part.slice(1, -1)));
    } else {
      out.append(styled(unescape(part)));
    }
  }
  return out;
}

function special(inner) {
  const [target, label] = inner.split("|", 2);
  if (target.startsWith("@")) return el("strong", { class: "mention" }, "@" + personName(target.slice(1)));
  if (target.startsWith("#")) return el("strong", { class: "mention" }, "#" + (label || channelName(target.slice(1))));
  if (target.startsWith("!date^")) {
    const seconds = Number(target.split("^")[1]);
    const when = Number.isFinite(seconds) ? new Date(seconds * 1000).toUTCString().replace(":00 GMT", " UTC") : null;
    return document.createTextNode(when || unescape(label || ""));
  }
  if (target.startsWith("!")) return el("strong", {}, "@" + (label || target.slice(1)));
  if (/^(https?|mailto):/.test(target)) {
    return el("a", { href: target, rel: "noopener noreferrer", target: "_blank" }, unescape(label || target));
  }
  return document.createTextNode(unescape(inner));
}

function styled(text) {
  const out = document.createDocumentFragment();
  const pattern = /(`[^`\n]+`|\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~|\n)/;
  for (const piece of text.split(pattern)) {
    if (!piece) continue;
    if (piece === "\n") out.append(el("br"));
    else if (/^`.+`$/.test(piece)) out.append(el("code", {}, piece.slice(1, -1)));
    else if (/^\*.+\*$/.test(piece)) out.append(el("strong", {}, piece.slice(1, -1)));
    else if (/^_.+_$/.test(piece)) out.append(el("em", {}, piece.slice(1, -1)));
    else if (/^~.+~$/.test(piece)) out.append(el("s", {}, piece.slice(1, -1)));
    else out.append(document.createTextNode(piece));
  }
  return out;
}

function textOf(obj) {
  if (!obj) return document.createTextNode("");
  if (typeof obj === "string") return mrkdwn(obj);
  if (obj.type === "mrkdwn") return mrkdwn(obj.text);
  return document.createTextNode(obj.text || "");
}

function optionsOf(element) {
  const groups = element.option_groups || [{ label: null, options: element.options || [] }];
  return groups.map((g) => ({ label: g.label ? g.label.text : null, options: g.options || [] }));
}

function fillSelect(select, element, chosen) {
  for (const group of optionsOf(element)) {
    const parent = group.label ? el("optgroup", { label: group.label }) : select;
    for (const option of group.options) {
      parent.append(el("option", { value: option.value, selected: chosen.includes(option.value) }, option.text.text));
    }
    if (parent !== select) select.append(parent);
  }
}

function conversationChoices(element) {
  const include = (element.filter && element.filter.include) || null;
  const kinds = element.type === "channels_select" || element.type === "multi_channels_select"
    ? ["public"] : include || ["public", "private", "im", "mpim"];
  return state.sidebar.filter((c) => kinds.includes(c.kind));
}

// Slack asks first when an element carries a confirm object; nothing is sent on Cancel.
function confirmFirst(confirm, go) {
  if (!confirm) { go(); return; }
  const backdrop = document.getElementById("confirm-backdrop");
  document.getElementById("confirm-title").textContent = confirm.title ? confirm.title.text : "Are you sure?";
  document.getElementById("confirm-text").replaceChildren(textOf(confirm.text));
  const yes = document.getElementById("confirm-yes");
  const no = document.getElementById("confirm-no");
  yes.textContent = confirm.confirm ? confirm.confirm.text : "Yes";
  yes.className = confirm.style === "danger" ? "primary danger" : "primary";
  no.textContent = confirm.deny ? confirm.deny.text : "Cancel";
  const close = () => { backdrop.hidden = true; yes.onclick = null; no.onclick = null; };
  yes.onclick = () => { close(); go(); };
  no.onclick = close;
  backdrop.hidden = false;
}

// An interactive element: in a message or Home (act on change or click) or a modal input.
function element(block, elem, onAct) {
  const type = elem.type;
  if (onAct && elem.confirm) {
    const act = onAct;
    onAct = (action) => confirmFirst(elem.confirm, () => act(action));
  }
  const data = { "data-block": block.block_id || "", "data-action": elem.action_id || "", "data-type": type };
  if (type === "button") {
    const style = elem.style ? " " + elem.style : "";
    return el("button", { ...data, type: "button", class: "bk" + style,
      onclick: () => onAct({ action_id: elem.action_id, block_id: block.block_id, type, value: elem.value || "" }) },
    elem.text.text);
  }
  if (type === "plain_text_input" || type === "number_input" || type === "email_text_input" || type === "url_text_input") {
    const initial = elem.initial_value || "";
    if (elem.multiline) return el("textarea", { ...data, rows: 3, maxlength: elem.max_length }, initial);
    return el("input", { ...data, type: type === "number_input" ? "number" : "text",
      value: initial, maxlength: elem.max_length, min: elem.min_value, max: elem.max_value });
  }
  if (type === "static_select" || type === "multi_static_select") {
    const multiple = type.startsWith("multi_");
    const chosen = multiple ? (elem.initial_options || []).map((o) => o.value)
      : elem.initial_option ? [elem.initial_option.value] : [];
    const select = el("select", { ...data, multiple });
    if (!multiple) select.append(el("option", { value: "" }, elem.placeholder ? elem.placeholder.text : "Choose…"));
    fillSelect(select, elem, chosen);
    if (onAct && !multiple) {
      select.addEventListener("change", () => {
        const option = select.selectedOptions[0];
        onAct({ action_id: elem.action_id, block_id: block.block_id, type,
          selected_option: { text: { type: "plain_text", text: option.textContent }, value: option.value } });
      });
    }
    return select;
  }
  if (type === "users_select" || type === "multi_users_select") {
    const multiple = type.startsWith("multi_");
    const chosen = multiple ? elem.initial_users || [] : elem.initial_user ? [elem.initial_user] : [];
    const select = el("select", { ...data, multiple });
    if (!multiple) select.append(el("option", { value: "" }, "Choose a person"));
    for (const p of state.people) select.append(el("option", { value: p.id, selected: chosen.includes(p.id) }, p.name));
    if (onAct && !multiple) {
      select.addEventListener("change", () => onAct({ action_id: elem.action_id, block_id: block.block_id, type, selected_user: select.value }));
    }
    return select;
  }
  if (["conversations_select", "channels_select"].includes(type)) {
    const initial = elem.initial_conversation || elem.initial_channel || "";
    const select = el("select", data);
    select.append(el("option", { value: "" }, "Choose a channel"));
    for (const c of conversationChoices(elem)) {
      select.append(el("option", { value: c.id, selected: c.id === initial }, (c.kind === "public" || c.kind === "private" ? "#" : "") + c.label));
    }
    if (onAct) {
      const key = type === "channels_select" ? "selected_channel" : "selected_conversation";
      select.addEventListener("change", () => onAct({ action_id: elem.action_id, block_id: block.block_id, type, [key]: select.value }));
    }
    return select;
  }
  if (type === "checkboxes" || type === "radio_buttons") {
    const box = el("div", data);
    const chosen = type === "checkboxes" ? (elem.initial_options || []).map((o) => o.value)
      : elem.initial_option ? [elem.initial_option.value] : [];
    const name = "r" + Math.random().toString(36).slice(2);
    for (const option of elem.options || []) {
      box.append(el("label", { class: "choice" },
        el("input", { type: type === "checkboxes" ? "checkbox" : "radio", name, value: option.value,
          checked: chosen.includes(option.value) }),
        " ", textOf(option.text)), el("br"));
    }
    return box;
  }
  if (type === "datepicker") {
    const input = el("input", { ...data, type: "date", value: elem.initial_date || "" });
    if (onAct) input.addEventListener("change", () => onAct({ action_id: elem.action_id, block_id: block.block_id, type, selected_date: input.value }));
    return input;
  }
  if (type === "overflow") {
    const select = el("select", data);
    select.append(el("option", { value: "" }, "⋯"));
    fillSelect(select, elem, []);
    select.addEventListener("change", () => {
      const option = select.selectedOptions[0];
      onAct({ action_id: elem.action_id, block_id: block.block_id, type,
        selected_option: { text: { type: "plain_text", text: option.textContent }, value: option.value } });
    });
    return select;
  }
  if (type === "image") return el("img", { src: elem.image_url, alt: elem.alt_text || "", width: 24 });
  return el("span", { class: "small" }, "[" + type + "]");
}

// Slack's view.state.values for one input element, from what is on the page now.
function valueOf(node) {
  const type = node.dataset.type;
  if (["plain_text_input", "number_input", "email_text_input", "url_text_input"].includes(type)) {
    return { type, value: node.value === "" ? null : node.value };
  }
  if (type === "static_select") {
    const option = node.value ? node.selectedOptions[0] : null;
    return { type, selected_option: option ? { text: { type: "plain_text", text: option.textContent }, value: option.value } : null };
  }
  if (type === "multi_static_select") {
    return { type, selected_options: [...node.selectedOptions].map((o) => ({ text: { type: "plain_text", text: o.textContent }, value: o.value })) };
  }
  if (type === "users_select") return { type, selected_user: node.value || null };
  if (type === "multi_users_select") return { type, selected_users: [...node.selectedOptions].map((o) => o.value) };
  if (type === "conversations_select") return { type, selected_conversation: node.value || null };
  if (type === "channels_select") return { type, selected_channel: node.value || null };
  if (type === "checkboxes") {
    return { type, selected_options: [...node.querySelectorAll("input:checked")].map((i) => ({ value: i.value, text: { type: "plain_text", text: i.parentNode.textContent.trim() } })) };
  }
  if (type === "radio_buttons") {
    const picked = node.querySelector("input:checked");
    return { type, selected_option: picked ? { value: picked.value, text: { type: "plain_text", text: picked.parentNode.textContent.trim() } } : null };
  }
  if (type === "datepicker") return { type, selected_date: node.value || null };
  return { type };
}

function stateValues(root) {
  const values = {};
  for (const node of root.querySelectorAll(".input [data-action]")) {
    const block = node.dataset.block;
    values[block] = values[block] || {};
    values[block][node.dataset.action] = valueOf(node);
  }
  return values;
}

function blocks(list, onAct) {
  const out = el("div", { class: "blocks" });
  for (const block of list || []) {
    const kind = block.type;
    const box = el("div", { class: "block " + kind, "data-block-id": block.block_id || "" });
    if (kind === "section") {
      if (block.text) box.append(el("div", {}, textOf(block.text)));
      if (block.fields) box.append(el("div", { class: "fields" }, ...block.fields.map((f) => el("div", {}, textOf(f)))));
      if (block.accessory) box.append(element(block, block.accessory, onAct));
    } else if (kind === "header") {
      box.append(textOf(block.text));
    } else if (kind === "divider") {
      box.append(el("hr"));
    } else if (kind === "context") {
      for (const e of block.elements || []) {
        box.append(e.type === "image" ? el("img", { src: e.image_url, alt: e.alt_text || "", width: 16 }) : el("span", {}, textOf(e)), " ");
      }
    } else if (kind === "actions") {
      for (const e of block.elements || []) box.append(element(block, e, onAct));
    } else if (kind === "image") {
      box.append(el("img", { src: block.image_url, alt: block.alt_text || "", style: "max-width:100%" }));
    } else if (kind === "input") {
      box.className = "block input";
      box.append(el("label", {}, block.label.text, block.optional ? el("span", { class: "small" }, " (optional)") : null));
      box.append(element(block, block.element, block.dispatch_action ? onAct : null));
      if (block.hint) box.append(el("div", { class: "hint" }, block.hint.text));
    } else if (kind === "rich_text") {
      box.append(el("div", {}, JSON.stringify(block.elements).slice(0, 200)));
    } else {
      box.append(el("span", { class: "small" }, "[" + kind + "]"));
    }
    out.append(box);
  }
  return out;
}

async function api(path, body) {
  const options = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

async function act(path, body) {
  state.busy = true;
  document.getElementById("busy").hidden = false;
  try {
    await api(path, { as: state.you, ...body });
  } catch (error) {
    alert(error.message);
  } finally {
    state.busy = false;
    document.getElementById("busy").hidden = true;
  }
  await refresh();
}

// A moment as the person reads it: in their own zone (Slack shows every time in the reader's).
function when(iso, zone) {
  const tz = zone || (state.people.find((p) => p.id === state.you) || {}).tz || "UTC";
  return new Date(iso).toLocaleString("en-GB", { weekday: "short", day: "numeric", month: "short",
    hour: "2-digit", minute: "2-digit", timeZone: tz, timeZoneName: "short" });
}

function drawSidebar(s) {
  state.sidebar = s.sidebar;
  const key = JSON.stringify([s.sidebar, state.channel, state.home]);
  if (key === state.sidebarKey) return;  // redraw only what changed: a click is never lost
  state.sidebarKey = key;
  const box = document.getElementById("convs");
  box.replaceChildren();
  const groups = [["Channels", ["public", "private"]], ["Direct messages", ["im"]], ["Group DMs", ["mpim"]]];
  for (const [title, kinds] of groups) {
    const list = s.sidebar.filter((c) => kinds.includes(c.kind));
    if (!list.length) continue;
    box.append(el("div", { class: "conv-group" }, title));
    for (const c of list) {
      const prefix = c.kind === "public" ? "# " : c.kind === "private" ? "◦ " : "";
      box.append(el("button", { type: "button", class: "conv" + (c.id === state.channel && !state.home ? " active" : ""),
        "data-id": c.id, "data-kind": c.kind, "data-label": c.label, onclick: () => openConversation(c.id) },
      prefix + c.label, c.count ? el("span", { class: "count" }, String(c.count)) : null));
    }
  }
  document.getElementById("nav-home").classList.toggle("active", state.home);
}

function drawItems(s) {
  const key = JSON.stringify([state.home, s.channel, s.items, state.home ? s.home : null]);
  if (key === state.itemsKey) return;
  state.itemsKey = key;
  const box = document.getElementById("items");
  const title = document.getElementById("pane-title");
  box.replaceChildren();
  if (state.home) {
    title.textContent = "Home — mentorbot";
    if (!s.home) { box.append(el("p", { class: "small" }, "Opening Home…")); return; }
    box.append(el("div", { class: "item home", "data-view": s.home.id },
      blocks(s.home.blocks, (a) => act("/api/action", { action: a, view_id: s.home.id, values: {} }))));
    return;
  }
  const conv = s.sidebar.find((c) => c.id === s.channel);
  title.textContent = conv ? (conv.kind === "public" || conv.kind === "private" ? "#" : "") + conv.label : "Pick a conversation";
  for (const item of s.items) {
    const onAct = (a) => act("/api/action", { action: a, channel: s.channel, ts: item.kind === "message" ? item.ts : null });
    const meta = el("div", { class: "meta" }, item.kind === "ephemeral" ? "Only visible to you · " : "mentorbot · ", when(item.at));
    const node = el("div", { class: "item " + item.kind, "data-ts": item.ts || "" }, meta);
    if (item.blocks && item.blocks.length) node.append(blocks(item.blocks, onAct));
    else if (item.text) node.append(el("div", {}, mrkdwn(item.text)));
    if (item.file) {
      const link = "/api/file/" + encodeURIComponent(item.file.id);
      const file = el("div", { class: "file" }, el("a", { href: link, download: item.file.name }, "File: " + item.file.title));
      if (/\.png$/i.test(item.file.name)) file.append(el("img", { src: link, alt: item.file.title }));
      node.append(file);
    }
    box.append(node);
  }
  box.scrollTop = box.scrollHeight;
}

// Field errors go next to their inputs without redrawing the modal: what was typed stays.
function drawErrors(errors) {
  const holder = document.getElementById("modal-blocks");
  for (const old of holder.querySelectorAll(".field-error")) old.remove();
  for (const [block, message] of Object.entries(errors || {})) {
    const box = [...holder.querySelectorAll(".block.input")].find((b) => b.dataset.blockId === block);
    if (box) box.append(el("div", { class: "field-error", role: "alert" }, message));
  }
}

function drawModal(s) {
  const key = JSON.stringify(s.modal);
  if (key === state.modalKey) { drawErrors(s.errors); return; }
  state.modalKey = key;
  const backdrop = document.getElementById("modal-backdrop");
  if (!s.modal) { backdrop.hidden = true; return; }
  const view = s.modal;
  document.getElementById("modal-title").textContent = view.title ? view.title.text : "";
  const holder = document.getElementById("modal-blocks");
  holder.replaceChildren(blocks(view.blocks, (a) => act("/api/action", { action: a, view_id: view.id, values: stateValues(holder) })));
  drawErrors(s.errors);
  const submit = document.getElementById("modal-submit");
  submit.hidden = !view.submit;
  submit.textContent = view.submit ? view.submit.text : "Submit";
  submit.dataset.view = view.id;
  document.getElementById("modal-close").textContent = view.close ? view.close.text : "Close";
  backdrop.hidden = false;
}

function draw(s) {
  state.last = s;
  document.getElementById("now").textContent = when(s.now, "UTC") + " · yours: " + when(s.now);
  document.getElementById("now").setAttribute("datetime", s.now);
  const next = document.getElementById("next-delivery");
  next.title = s.next_delivery ? "Next message due " + when(s.next_delivery, "UTC") : "Nothing queued";
  next.disabled = !s.next_delivery;
  const refused = document.getElementById("refused");
  refused.hidden = !s.refused.length;
  refused.textContent = s.refused.length ? "Slack would have refused:\n" + s.refused.join("\n") : "";
  drawSidebar(s);
  drawItems(s);
  drawModal(s);
}

async function refresh() {
  if (!state.you) return;
  const query = new URLSearchParams({ as: state.you });
  if (state.channel) query.set("channel", state.channel);
  draw(await api("/api/state?" + query));
}

function openConversation(id) {
  state.channel = id;
  state.home = false;
  refresh();
}

function openHome() {
  state.home = true;
  act("/api/home", {});
}

function become(id, channel) {
  state.you = id;
  document.getElementById("you").value = id;
  state.itemsKey = null;
  state.modalKey = null;
  state.home = false;
  state.channel = channel || null;
}

function drawGuide() {
  const list = document.getElementById("steps");
  GUIDE.forEach(([title, who, channel, command, help], n) => {
    const go = el("button", { type: "button", class: "bk", "data-step": n + 1, onclick: () => {
      become(who, channel);
      if (command) document.getElementById("command-text").value = command;
      document.getElementById("command-text").focus();
      refresh();
    } }, command ? "Set it up" : "Be " + personName(who).split(" ")[0]);
    list.append(el("li", {}, el("strong", {}, title), " ", go, el("div", { class: "small" }, help)));
  });
}

async function main() {
  state.people = await api("/api/people");
  const you = document.getElementById("you");
  for (const p of state.people) {
    you.append(el("option", { value: p.id }, p.name + (p.admin ? " (admin)" : "") + " — " + p.tz));
  }
  you.addEventListener("change", () => { become(you.value, state.channel); refresh(); });
  become(state.people[0].id, "C0GENERAL");
  document.getElementById("nav-home").addEventListener("click", openHome);
  document.getElementById("command").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("command-text");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    act("/api/command", { text, channel: state.home ? null : state.channel });
  });
  for (const button of document.querySelectorAll("[data-move]")) {
    button.addEventListener("click", () => act("/api/clock", { move: button.dataset.move }));
  }
  document.getElementById("modal-submit").addEventListener("click", (event) => {
    const view = event.target.dataset.view;
    act("/api/submit", { view_id: view, values: stateValues(document.getElementById("modal-blocks")) });
  });
  document.getElementById("modal-close").addEventListener("click", () => {
    act("/api/close", { view_id: document.getElementById("modal-submit").dataset.view });
  });
  drawGuide();
  await refresh();
  setInterval(() => { if (!state.busy) refresh().catch(() => {}); }, 1500);
}

main();
