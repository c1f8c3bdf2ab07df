/*
 * The kratom information assistant's chat widget: a launcher button and a chat panel
 * talking to Rasa's socket.io channel. Needs socket.io.min.js (the global `io`) first.
 *
 *   <link rel="stylesheet" href="/widget.css">
 *   <script src="/socket.io.min.js"></script>
 *   <script src="/widget.js" data-server-url="https://bot.example.org" data-title="..."
 *           data-exit-url="https://www.google.com/"></script>
 *
 * Every message is shown with textContent and text nodes, never as HTML, and the
 * assistant's text is shown as sent: only its http(s) addresses become links. The
 * widget's own words are its controls' labels; everything the assistant says comes
 * from the server.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  // "Leave quickly" goes here: a neutral page, chosen by the site (data-exit-url).
  var DEFAULT_EXIT_URL = "https://www.google.com/";

  // Only an http(s) address, resolved against the page: never javascript: or data:.
  function exitUrl(value) {
    try {
      var url = new URL(value, window.location.href);
      if (url.protocol === "https:" || url.protocol === "http:") return url.href;
    } catch (e) { /* not an address */ }
    return DEFAULT_EXIT_URL;
  }

  var config = {
    serverUrl: script.getAttribute("data-server-url") ||
      window.location.protocol + "//" + window.location.hostname + ":5005",
    title: script.getAttribute("data-title") || "Kratom information assistant",
    exitUrl: exitUrl(script.getAttribute("data-exit-url") || DEFAULT_EXIT_URL)
  };
  var DISCLAIMER = "Information, not medical advice. In an emergency call your local emergency number.";
  var STATUS = {  // what the panel says about the connection; nothing when online
    connecting: "Connecting…",
    offline: "Can't reach the assistant, trying again…",
    online: ""
  };
  // After "Delete chat" while the assistant could not be reached.
  var DELETED_HERE_ONLY = "Deleted from this device only: the assistant's copy could not be deleted.";
  var TYPING = "Assistant is typing";
  var TYPING_TIMEOUT_MS = 20000;  // no answer by then: stop saying one is coming
  var FORGET = "/forget";         // the assistant deletes the conversation (intent forget)
  var DOUBLE_ESCAPE_MS = 1000;    // Escape twice within this leaves the page
  var PHONE = "(max-width: 480px)";  // the panel covers the page (widget.css)
  var STORE = "kratomWidget.";  // storage keys: the session id and the transcript
  var MAX_MESSAGES = 200;       // keep localStorage small

  // ------------------------------------------------------------------ storage
  var leaving = false;  // "Leave quickly" under way: nothing is written any more

  function load(key, fallback) {
    try {
      var value = window.localStorage.getItem(STORE + key);
      return value === null ? fallback : JSON.parse(value);
    } catch (e) {
      return fallback;  // storage blocked or corrupt: start afresh
    }
  }

  function save(key, value) {
    if (leaving) return;
    try {
      window.localStorage.setItem(STORE + key, JSON.stringify(value));
    } catch (e) { /* storage full or blocked: the chat still works, it just isn't kept */ }
  }

  // Every key of the widget, in localStorage and sessionStorage.
  function forgetStored() {
    ["localStorage", "sessionStorage"].forEach(function (name) {
      try {
        var storage = window[name];
        var keys = [];
        for (var i = 0; i < storage.length; i++) {
          var key = storage.key(i);
          if (key && key.indexOf(STORE) === 0) keys.push(key);
        }
        keys.forEach(function (key) { storage.removeItem(key); });
      } catch (e) { /* storage blocked: nothing was kept there */ }
    });
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
  // A word, not "×": its name then holds what is seen (WCAG 2.5.3), and it needs no guessing.
  var closeButton = el("button", { type: "button", "class": "kw-close", "aria-label": "Close chat" }, "Close");
  var actions = el("div", { "class": "kw-actions" });
  var leaveButton = el("button", { type: "button", "class": "kw-leave",
    "aria-label": "Leave quickly: clears this chat and opens another page (or press Escape twice)" },
    "Leave quickly");
  var deleteButton = el("button", { type: "button", "class": "kw-delete",
    "aria-label": "Delete chat: deletes this conversation here and on the assistant's server" },
    "Delete chat");
  actions.append(leaveButton, deleteButton);
  header.append(title, closeButton, actions);

  var disclaimer = el("p", { "class": "kw-disclaimer" }, DISCLAIMER);
  var status = el("p", { "class": "kw-status", role: "status" });
  // The conversation: the one live region for messages (new ones, the user's and the
  // assistant's, are read out; the restored history is not).
  var log = el("div", { "class": "kw-log", role: "log", "aria-live": "polite", "aria-label": "Conversation",
                        tabindex: "0" });
  var list = el("ol", { "class": "kw-messages" });
  log.appendChild(list);
  // "Assistant is typing": said once when it appears; the dots move in CSS only.
  var typing = el("div", { "class": "kw-typing", role: "status" });

  var form = el("form", { "class": "kw-form" });
  var label = el("label", { "for": "kw-input", "class": "kw-visually-hidden" }, "Your message");
  var input = el("input", { id: "kw-input", "class": "kw-input", type: "text", autocomplete: "off",
                            placeholder: "Ask about kratom…" });
  var sendButton = el("button", { type: "submit", "class": "kw-send" }, "Send");
  form.append(label, input, sendButton);

  var replies = el("div", { "class": "kw-replies", role: "group", "aria-label": "Suggested replies" });

  panel.append(header, disclaimer, status, log, typing, form, replies);
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
    list.appendChild(item);
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
    var users = list.querySelectorAll(".kw-user");
    var last = users[users.length - 1];
    log.scrollTop = last ? last.offsetTop - log.offsetTop - 12 : log.scrollHeight;
  }

  function addMessage(message) {
    transcript.push(message);
    transcript = transcript.slice(-MAX_MESSAGES);
    save("transcript", transcript);
    renderMessage(message);
    renderReplies();
    scrollToLatestTurn();
  }

  var typingTimer = null;

  function showTyping() {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
    if (typing.firstChild) return;  // already showing: not announced again
    var dots = el("span", { "class": "kw-dots", "aria-hidden": "true" });
    dots.append(el("span"), el("span"), el("span"));
    typing.append(el("span", { "class": "kw-typing-text" }, TYPING), dots);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typing.textContent = "";
  }

  var deletedHereOnly = false;  // shown with the connection's state until back online

  function setState(state) {
    ready = state === "online";
    if (ready) deletedHereOnly = false;
    var text = STATUS[state];
    if (deletedHereOnly) text = DELETED_HERE_ONLY + (text ? " " + text : "");
    status.textContent = text;
    status.hidden = !text;
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
      if (leaving) return;
      if (!data || typeof data.text !== "string") return;  // only text is shown
      hideTyping();
      var quickReplies = (data.quick_replies || []).map(function (reply) {
        return { title: String(reply.title), payload: String(reply.payload) };
      });
      addMessage({ from: "bot", text: data.text, quickReplies: quickReplies });
    });
    socket.on("disconnect", function () {
      hideTyping();  // an answer to the old connection won't reach this one
      setState("offline");
    });
    socket.on("connect_error", function () { setState("offline"); });
  }

  // text is what goes to the assistant; shown is what the user sees (a quick reply's title).
  function send(text, shown) {
    if (!ready || !socket.connected) return false;  // nothing is lost: the caller keeps what was typed
    addMessage({ from: "user", text: shown });
    socket.emit("user_uttered", { message: text, session_id: sessionId });
    showTyping();
    return true;
  }

  // Asks the assistant to delete this session's conversation, if it can be reached now.
  // Nothing is ever queued: socket.io would send it on reconnecting, under an old id.
  function forgetOnServer() {
    if (socket && socket.connected) {
      socket.emit("user_uttered", { message: FORGET, session_id: sessionId });
      return true;
    }
    if (socket) socket.sendBuffer = [];
    return false;
  }

  // The conversation gone from the page and the browser.
  function forgetHere() {
    hideTyping();
    transcript = [];
    list.textContent = "";
    renderReplies();
    forgetStored();
  }

  // ------------------------------------------------------------------ controls
  function covers() {  // the panel covers the page: the focus stays in it
    return !panel.hidden && Boolean(window.matchMedia) && window.matchMedia(PHONE).matches;
  }

  function focusable() {
    var nodes = panel.querySelectorAll("button, input, a[href], [tabindex]:not([tabindex='-1'])");
    return Array.prototype.filter.call(nodes, function (node) {
      return !node.disabled && node.getClientRects().length > 0;
    });
  }

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
    if (event.key === "Escape") {
      close();  // a second Escape within a second leaves the page (see below)
    } else if (event.key === "Tab" && covers()) {
      // Tab and Shift+Tab go round the panel's controls, never to the page behind it.
      var items = focusable();
      if (!items.length) return;
      var first = items[0], last = items[items.length - 1];
      var inside = panel.contains(document.activeElement);
      if (event.shiftKey && (document.activeElement === first || !inside)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  // Focus that reaches the page behind the covering panel by other means comes back.
  document.addEventListener("focusin", function (event) {
    if (covers() && !panel.contains(event.target)) {
      var items = focusable();
      (items.indexOf(input) >= 0 ? input : items[0] || panel).focus();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (text && send(text, text)) input.value = "";
  });

  // Delete chat: the assistant deletes the conversation (its confirmation, answered on
  // the old session, still reaches this socket, which stays in the old session's room,
  // and is shown in the new conversation); then this browser forgets it and a new
  // session starts.
  deleteButton.addEventListener("click", function () {
    var asked = forgetOnServer();
    forgetHere();
    sessionId = newSessionId();
    save("session", sessionId);
    deletedHereOnly = !asked;
    if (asked) {
      showTyping();  // until the confirmation arrives
      setState("connecting");
      socket.emit("session_request", { session_id: sessionId });
    } else {  // offline: (re)connecting will ask for the new session
      setState(panel.getAttribute("data-state") === "offline" ? "offline" : "connecting");
    }
    input.focus();
  });

  // Leave quickly: the chat gone from the page and the browser, the assistant asked to
  // delete it (not waiting for its answer), and the page replaced by a neutral one,
  // without an entry in the history for the back button to return to.
  function leaveQuickly() {
    if (leaving) return;
    try {
      var cover = el("div", { "class": "kw-exit-cover" });
      document.documentElement.appendChild(cover);
      panel.hidden = true;
      forgetOnServer();
      leaving = true;
      forgetHere();
      if (socket) socket.off("bot_uttered");
    } finally {
      leaving = true;
      window.location.replace(config.exitUrl);
    }
  }

  leaveButton.addEventListener("click", leaveQuickly);

  // Escape twice within a second, anywhere on the page. The first Escape does what it
  // always does (in the panel: closes it); held keys and input methods don't count.
  var lastEscape = 0;
  window.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.repeat || event.isComposing) return;
    var now = Date.now();
    if (now - lastEscape <= DOUBLE_ESCAPE_MS) {
      leaveQuickly();
    } else {
      lastEscape = now;
    }
  }, true);
})();
