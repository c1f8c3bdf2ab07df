/*
 * The kratom information assistant's chat widget: a launcher button and a chat panel
 * talking to Rasa's socket.io channel. Needs socket.io.min.js (the global `io`) first.
 *
 *   <link rel="stylesheet" href="/widget.css">
 *   <script src="/socket.io.min.js"></script>
 *   <script src="/widget.js" data-server-url="https://bot.example.org" data-title="..."></script>
 *
 * Every message is shown with textContent and text nodes, never as HTML, and the
 * assistant's text is shown as sent: only its http(s) addresses become links.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var config = {
    serverUrl: script.getAttribute("data-server-url") ||
      window.location.protocol + "//" + window.location.hostname + ":5005",
    title: script.getAttribute("data-title") || "Kratom information assistant"
  };
  var DISCLAIMER = "Information, not medical advice. In an emergency call your local emergency number.";
  var STATUS = {  // what the panel says about the connection; nothing when online
    connecting: "Connecting…",
    offline: "Can't reach the assistant, trying again…",
    online: ""
  };
  var STORE = "kratomWidget.";  // localStorage keys: the session id and the transcript
  var MAX_MESSAGES = 200;       // keep localStorage small

  // ------------------------------------------------------------------ storage
  function load(key, fallback) {
    try {
      var value = window.localStorage.getItem(STORE + key);
      return value === null ? fallback : JSON.parse(value);
    } catch (e) {
      return fallback;  // storage blocked or corrupt: start afresh
    }
  }

  function save(key, value) {
    try {
      window.localStorage.setItem(STORE + key, JSON.stringify(value));
    } catch (e) { /* storage full or blocked: the chat still works, it just isn't kept */ }
  }

  function newSessionId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, "");
    return Date.now().toString(16) + Math.random().toString(16).slice(2);
  }

  var sessionId = load("session", null) || newSessionId();
  save("session", sessionId);
  // Rasa doesn't replay a conversation, so the widget keeps its own copy:
  // [{from: "bot"|"user", text, quickReplies?: [{title, payload}]}]
  var transcript = load("transcript", []);

  // ------------------------------------------------------------------ DOM
  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var root = el("div", { "class": "kw-root" });
  var launcher = el("button", { type: "button", "class": "kw-launcher", "aria-expanded": "false",
                                "aria-controls": "kw-panel" }, "Chat: " + config.title);
  var panel = el("section", { id: "kw-panel", "class": "kw-panel", "aria-labelledby": "kw-title" });
  panel.hidden = true;

  var header = el("div", { "class": "kw-header" });
  var title = el("h2", { id: "kw-title", "class": "kw-title" }, config.title);
  var clearButton = el("button", { type: "button", "class": "kw-clear" }, "Clear chat");
  var closeButton = el("button", { type: "button", "class": "kw-close", "aria-label": "Close chat" }, "×");
  header.append(title, clearButton, closeButton);

  var disclaimer = el("p", { "class": "kw-disclaimer" }, DISCLAIMER);
  var status = el("p", { "class": "kw-status", role: "status" });
  var log = el("ol", { "class": "kw-log", "aria-label": "Conversation", tabindex: "0" });
  // New bot messages are read out from here (not from the log, so the user's own
  // messages and the restored history are not read out again).
  var announcer = el("div", { "class": "kw-visually-hidden", "aria-live": "polite" });

  var form = el("form", { "class": "kw-form" });
  var label = el("label", { "for": "kw-input", "class": "kw-visually-hidden" }, "Your message");
  var input = el("input", { id: "kw-input", "class": "kw-input", type: "text", autocomplete: "off",
                            placeholder: "Ask about kratom…" });
  var sendButton = el("button", { type: "submit", "class": "kw-send" }, "Send");
  form.append(label, input, sendButton);

  var replies = el("div", { "class": "kw-replies", role: "group", "aria-label": "Suggested replies" });

  panel.append(header, disclaimer, status, log, announcer, form, replies);
  root.append(launcher, panel);
  if (document.body) {
    document.body.appendChild(root);
  } else {  // the snippet was put in <head>
    document.addEventListener("DOMContentLoaded", function () { document.body.appendChild(root); });
  }

  // ------------------------------------------------------------------ rendering
  // An http(s) address, then the punctuation around it that isn't part of it:
  // "(https://nida.nih.gov/research-topics/kratom);" links only the address.
  var URL_PATTERN = /https?:\/\/[^\s<>"]+/g;

  function trimUrl(url) {
    for (;;) {
      var last = url.charAt(url.length - 1);
      if (".,;:!?'\"".indexOf(last) >= 0) {
        url = url.slice(0, -1);
      } else if (last === ")" && url.split("(").length < url.split(")").length) {
        url = url.slice(0, -1);  // a closing bracket the address didn't open
      } else {
        return url;
      }
    }
  }

  function appendWithLinks(parent, text) {
    var position = 0;
    text.replace(URL_PATTERN, function (match, offset) {
      var url = trimUrl(match);
      parent.appendChild(document.createTextNode(text.slice(position, offset)));
      var link = el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, url);
      parent.appendChild(link);
      position = offset + url.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(position)));
  }

  function renderMessage(message) {
    var item = el("li", { "class": "kw-message kw-" + message.from });
    item.appendChild(el("span", { "class": "kw-visually-hidden" }, message.from === "bot" ? "Assistant: " : "You: "));
    var text = el("span", { "class": "kw-text" });
    if (message.from === "bot") {
      appendWithLinks(text, message.text);
    } else {
      text.textContent = message.text;
    }
    item.appendChild(text);
    log.appendChild(item);
    return item;
  }

  // The quick replies of the last message, if the assistant sent it.
  function renderReplies() {
    replies.textContent = "";
    var last = transcript[transcript.length - 1];
    var choices = last && last.from === "bot" ? last.quickReplies || [] : [];
    choices.forEach(function (choice) {
      var button = el("button", { type: "button", "class": "kw-reply" }, choice.title);
      button.addEventListener("click", function () {
        // The buttons are about to be replaced: keep the focus in the panel, on the input.
        if (send(choice.payload, choice.title)) input.focus();
      });
      replies.appendChild(button);
    });
    replies.hidden = choices.length === 0;
  }

  // Show the latest turn from its start: the user's last message at the top of the log,
  // so a long answer is read from its beginning.
  function scrollToLatestTurn() {
    var users = log.querySelectorAll(".kw-user");
    var last = users[users.length - 1];
    log.scrollTop = last ? last.offsetTop - log.offsetTop - 12 : log.scrollHeight;
  }

  function addMessage(message) {
    transcript.push(message);
    transcript = transcript.slice(-MAX_MESSAGES);
    save("transcript", transcript);
    renderMessage(message);
    // Screen readers hear the whole of the latest answer: the announcer holds the bot's
    // messages since the person's last one (capped, so it never grows without end).
    if (message.from === "user") announcer.textContent = "";
    if (message.from === "bot") {
      announcer.appendChild(el("p", {}, message.text));
      while (announcer.childNodes.length > 12) announcer.removeChild(announcer.firstChild);
    }
    renderReplies();
    scrollToLatestTurn();
  }

  function setState(state) {
    ready = state === "online";
    status.textContent = STATUS[state];
    status.hidden = !STATUS[state];
    panel.setAttribute("data-state", state);
  }

  // ------------------------------------------------------------------ connection
  var socket = null;
  var ready = false;  // connected and in the conversation's room: messages can be sent

  transcript.forEach(renderMessage);
  renderReplies();
  setState("connecting");

  function connect() {
    if (socket) return;
    if (!window.io) {  // socket.io.min.js must come before widget.js
      setState("offline");
      return;
    }
    socket = window.io(config.serverUrl, { path: "/socket.io" });
    socket.on("connect", function () {
      // Every (re)connection gets a new socket id: ask to rejoin the conversation's
      // room, or the answers would go to nobody.
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function () { setState("online"); });
    socket.on("bot_uttered", function (data) {
      if (!data || typeof data.text !== "string") return;  // only text is shown
      var quickReplies = (data.quick_replies || []).map(function (reply) {
        return { title: String(reply.title), payload: String(reply.payload) };
      });
      addMessage({ from: "bot", text: data.text, quickReplies: quickReplies });
    });
    socket.on("disconnect", function () { setState("offline"); });
    socket.on("connect_error", function () { setState("offline"); });
  }

  // text is what goes to the assistant; shown is what the user sees (a quick reply's title).
  function send(text, shown) {
    if (!ready) return false;  // nothing is lost: the caller keeps what was typed
    addMessage({ from: "user", text: shown });
    socket.emit("user_uttered", { message: text, session_id: sessionId });
    return true;
  }

  // ------------------------------------------------------------------ controls
  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    connect();
    scrollToLatestTurn();
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open(); else close();
  });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (text && send(text, text)) input.value = "";
  });

  // A new conversation: forget this one here and start a new session.
  clearButton.addEventListener("click", function () {
    transcript = [];
    save("transcript", transcript);
    sessionId = newSessionId();
    save("session", sessionId);
    log.textContent = "";
    renderReplies();
    if (socket && socket.connected) {
      setState("connecting");
      socket.emit("session_request", { session_id: sessionId });
    }
    input.focus();
  });
})();
