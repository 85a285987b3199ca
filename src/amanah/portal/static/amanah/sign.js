// Board members' signing keys, made and kept in this browser (WebCrypto Ed25519).
//
// The private key is generated non-extractable and stored, as a CryptoKey, in IndexedDB:
// no script, ours included, can read its bytes. Only the raw public key is exported, for
// the member to propose to the board (a key.register motion). On a motion's page the exact bytes the server embedded are
// decoded, shown, and signed: what the member reads is what the member signs.
"use strict";

(function () {
  const DB_NAME = "amanah-signing";
  const STORE = "keys";

  function openDb() {
    return new Promise(function (resolve, reject) {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE);
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  async function storeOp(mode, operation) {
    const db = await openDb();
    try {
      return await new Promise(function (resolve, reject) {
        const transaction = db.transaction(STORE, mode);
        const request = operation(transaction.objectStore(STORE));
        transaction.oncomplete = function () { resolve(request.result); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    } finally {
      db.close();
    }
  }

  function loadKey(member) {
    return storeOp("readonly", function (store) { return store.get(member); });
  }

  function saveKey(member, record) {
    return storeOp("readwrite", function (store) { return store.put(record, member); });
  }

  function toBase64(bytes) {
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text);
  }

  function fromBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  // The first 16 hex digits of SHA-256 of the raw public key, as the server computes it.
  async function keyIdOf(rawPublicKey) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", rawPublicKey));
    return Array.from(digest.slice(0, 8), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  async function createKey(member) {
    const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    const record = {
      privateKey: pair.privateKey,
      publicKey: pair.publicKey,
      publicKeyRaw: raw,
      keyId: await keyIdOf(raw),
    };
    await saveKey(member, record);
    return record;
  }

  function showKey(record) {
    document.getElementById("key-id").textContent = record.keyId;
    document.getElementById("public-key").textContent = toBase64(record.publicKeyRaw);
    document.getElementById("key-details").hidden = false;
    document.getElementById("key-missing").hidden = true;
    document.getElementById("create-key").hidden = true;
  }

  // Whether the board registered this browser's key; if not, offer to propose it. The
  // form posts the public key read from the stored record, not from the page's text.
  function showRegistration(section, record) {
    const words = function (text) { return (text || "").split(/\s+/).filter(Boolean); };
    const status = document.getElementById("key-status");
    const form = document.getElementById("propose-key");
    let state = "unregistered";
    if (words(section.dataset.registered).includes(record.keyId)) state = "registered";
    else if (words(section.dataset.revoked).includes(record.keyId)) state = "revoked";
    section.dataset.keyState = state;
    if (state === "registered") status.textContent = section.dataset.msgRegistered;
    else if (state === "revoked") status.textContent = section.dataset.msgRevoked;
    else {
      status.textContent = section.dataset.msgUnregistered;
      form.elements.public_key.value = toBase64(record.publicKeyRaw);
      form.hidden = false;
    }
  }

  async function setUpKeyPage(section) {
    const member = section.dataset.member;
    const status = document.getElementById("key-status");
    const button = document.getElementById("create-key");
    if (!window.crypto || !crypto.subtle || !window.indexedDB) {
      status.textContent = section.dataset.msgUnsupported;
      return;
    }
    const existing = await loadKey(member);
    if (existing) {
      showKey(existing);
      showRegistration(section, existing);
      return;
    }
    document.getElementById("key-missing").hidden = false;
    button.hidden = false;
    button.addEventListener("click", async function () {
      button.disabled = true;
      try {
        const record = await createKey(member);
        showKey(record);
        showRegistration(section, record);
      } catch (error) {
        const unsupported = error && error.name === "NotSupportedError";
        status.textContent = unsupported
          ? section.dataset.msgUnsupported
          : section.dataset.msgFailed + " " + error;
        button.disabled = false;
      }
    });
  }

  async function setUpMotionPage(section) {
    const member = section.dataset.member;
    const payload = fromBase64(section.dataset.payload);
    // Show exactly the bytes that will be signed, parsed and pretty-printed.
    const text = new TextDecoder("utf-8", { fatal: true }).decode(payload);
    document.getElementById("sign-payload").textContent = JSON.stringify(JSON.parse(text), null, 2);
    const form = document.getElementById("sign-form");
    const button = document.getElementById("sign-button");
    const status = document.getElementById("sign-status");
    const record = window.indexedDB ? await loadKey(member) : null;
    if (!record) {
      status.textContent = section.dataset.msgNoKey;
      return;
    }
    button.hidden = false;
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      button.disabled = true;
      status.textContent = section.dataset.msgSigning;
      try {
        const signature = new Uint8Array(
          await crypto.subtle.sign({ name: "Ed25519" }, record.privateKey, payload)
        );
        const data = new FormData(form);
        data.set("key_id", record.keyId);
        data.set("signature_base64", toBase64(signature));
        const response = await fetch(form.action, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        const answer = await response.json();
        if (response.ok) {
          status.textContent = answer.message;
          section.dataset.signed = answer.status;
        } else {
          status.textContent = section.dataset.msgFailed + " " + answer.errors.join(" ");
          button.disabled = false;
        }
      } catch (error) {
        status.textContent = section.dataset.msgFailed + " " + error;
        button.disabled = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const keySection = document.getElementById("signing-key");
    if (keySection) setUpKeyPage(keySection);
    const signSection = document.getElementById("sign-motion");
    if (signSection) setUpMotionPage(signSection);
  });
})();
