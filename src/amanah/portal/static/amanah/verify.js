// Checks a record against the transparency log in the reader's browser, trusting only the
// log key in <meta name="amanah-log-key">. Checkpoint: Ed25519 signed note (C2SP); entry:
// leaf hash SHA-256(0x00 || bytes) from its bundle; inclusion proof built from hash tiles
// as amanah.transparency's TileHashReader and proofs build it (RFC 9162 §2.1.3, tlog-tiles);
// then, as Go's tlog.TileHashReader, every tile read is authenticated (the right edge gives
// the signed root, each full tile folds into its parent), so an altered byte is named.
// The words shown come from the page (#amanah-verify-strings), translated by Django.
"use strict";

(function () {
  const strings = document.getElementById("amanah-verify-strings");
  if (!strings || !window.crypto || !crypto.subtle) return;
  const S = JSON.parse(strings.textContent);
  const W = 256; // tile width
  const H = 32; // hash size
  const utf8 = new TextEncoder();
  const files = new Map(); // path -> Promise<bytes>: a path's content never changes

  class Failure extends Error {
    constructor(kind, detail, file) { super(detail); this.kind = kind; this.file = file || ""; }
  }
  class Unavailable extends Error {}
  class Unsupported extends Error {}

  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => { out.set(p, at); return at + p.length; }, 0);
    return out;
  };
  const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
  const unb64 = (text) => {
    if (text.length % 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  };
  const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const nodeHash = (left, right) => sha256(concat([1], left, right));
  const half = (n) => Math.floor(n / 2);
  const below = (n) => { let k = 1; while (k * 2 < n) k *= 2; return k; }; // largest 2^j < n

  // The key: vkey name+<hex key ID>+base64(0x01 || 32-byte Ed25519 key), split at two "+".
  async function logKey() {
    const meta = document.querySelector('meta[name="amanah-log-key"]');
    const text = meta ? meta.content.trim() : "";
    const a = text.indexOf("+");
    const b = text.indexOf("+", a + 1);
    const material = unb64(text.slice(b + 1));
    if (a <= 0 || b < 0 || !material || material.length !== 33 || material[0] !== 1) {
      throw new Failure("key", "vkey: " + text);
    }
    const name = text.slice(0, a);
    const id = (await sha256(concat(utf8.encode(name + "\n"), material))).slice(0, 4);
    if (text.slice(a + 1, b) !== Array.from(id, (x) => x.toString(16).padStart(2, "0")).join("")) {
      throw new Failure("key", "vkey: key ID ≠ SHA-256(name, key)[:4]");
    }
    try {
      const key = await crypto.subtle.importKey("raw", material.slice(1), { name: "Ed25519" }, false, ["verify"]);
      return { text, name, id, key };
    } catch (e) {
      throw new Unsupported("Ed25519: " + e.message);
    }
  }

  // The checkpoint: text, blank line, "— name base64(key ID || signature)" lines.
  async function checkpoint(vkey) {
    const response = await fetch(S.log + "checkpoint", { cache: "no-store" });
    if (!response.ok) throw new Unavailable("checkpoint: HTTP " + response.status);
    const bad = (why) => new Failure("signature", "checkpoint: " + why, "checkpoint");
    let note;
    try {
      note = new TextDecoder("utf-8", { fatal: true }).decode(await response.arrayBuffer());
    } catch (e) {
      throw bad("not UTF-8");
    }
    const split = note.lastIndexOf("\n\n");
    if (split < 0 || !note.endsWith("\n") || /[\0-\t\v-\x1f\x7f]/.test(note)) throw bad("malformed");
    const text = note.slice(0, split + 1);
    let signed = false;
    for (const line of note.slice(split + 2, -1).split("\n")) {
      const match = /^\u2014 (\S+) (\S+)$/.exec(line);
      const sig = match && unb64(match[2]);
      if (!sig) throw bad("malformed signature line");
      if (match[1] !== vkey.name || !equal(sig.slice(0, 4), vkey.id)) continue;
      if (sig.length !== 68 || !await crypto.subtle.verify("Ed25519", vkey.key, sig.slice(4), utf8.encode(text))) {
        throw bad("Ed25519 signature invalid");
      }
      signed = true;
    }
    if (!signed) throw bad("no signature by " + vkey.name);
    const [origin, size, root] = text.split("\n");
    const hash = root && root.length === 44 && unb64(root);
    if (origin !== vkey.name || !/^(0|[1-9][0-9]*)$/.test(size) || !hash) throw bad("not this log's");
    return { size: Number(size), root: hash };
  }

  // Tiles (c2sp.org/tlog-tiles): tile/<L>/<N>[.p/<W>], N as x001/234; L -1 = entries.
  function tileFor(level, index, size) { // tiles.tile_for
    const stored = Math.floor(size / W ** Math.max(level, 0));
    const width = index < Math.floor(stored / W) ? W : index === Math.floor(stored / W) ? stored % W : 0;
    if (!width) throw new Error("no tile " + level + "/" + index);
    const digits = String(index).padStart(Math.ceil(String(index).length / 3) * 3, "0");
    const n = digits.match(/.../g).map((g, i, all) => (i < all.length - 1 ? "x" : "") + g).join("/");
    const path = "tile/" + (level < 0 ? "entries" : level) + "/" + n;
    return { level, index, width, path: width < W ? path + ".p/" + width : path, full: path };
  }

  function get(path) {
    if (!files.has(path)) {
      const promise = fetch(S.log + path).then(async (response) => {
        if (!response.ok) throw Object.assign(new Unavailable(path + ": HTTP " + response.status), { status: response.status });
        return new Uint8Array(await response.arrayBuffer());
      });
      files.set(path, promise);
      promise.catch(() => files.delete(path));
    }
    return files.get(path);
  }

  // A partial tile the log has dropped is the start of the full one (tilewriter.read_tile).
  async function readTile(tile) {
    try {
      return { data: await get(tile.path), fallback: false };
    } catch (e) {
      if (tile.width === W || e.status !== 404) throw e;
      return { data: await get(tile.full), fallback: true };
    }
  }

  // The hash tiles of one tree size, read once each: reader.TileHashReader.
  function reader(size) {
    const tiles = new Map(); // path -> Promise<{tile, levels}>
    async function levelsOf(tile) { // reader._tile_levels: W hashes, then pairs, 8 high
      const { data, fallback } = await readTile(tile);
      const bytes = fallback ? data.slice(0, tile.width * H) : data;
      if (bytes.length !== tile.width * H) throw new Failure("tile", tile.path + ": " + data.length + " bytes", tile.path);
      const levels = [[]];
      for (let i = 0; i < bytes.length; i += H) levels[0].push(bytes.slice(i, i + H));
      for (let up = levels[0]; levels.length <= 8 && up.length > 1; levels.push(up)) {
        const pairs = [];
        for (let i = 0; i + 1 < up.length; i += 2) pairs.push(nodeHash(up[i], up[i + 1]));
        up = await Promise.all(pairs);
      }
      return { tile, levels };
    }
    const r = { size, paths: () => Array.from(tiles.keys()) };
    // MTH(D[index·2^height : (index+1)·2^height]), from the tile that stores it.
    r.subtree = async (height, index) => {
      const level = Math.floor(height / 8);
      const within = 2 ** (height % 8);
      const first = index * within;
      if ((first + within) * W ** level > size) throw new Error("incomplete subtree");
      const tile = tileFor(level, Math.floor(first / W), size);
      if (!tiles.has(tile.path)) tiles.set(tile.path, levelsOf(tile));
      return (await tiles.get(tile.path)).levels[height % 8][Math.floor((first % W) / within)];
    };
    // MTH(D[lo:hi]) for the ranges the RFC recursion produces (proofs._range_hash).
    r.range = async (lo, hi) => {
      let height = 0;
      while (2 ** height < hi - lo) height += 1;
      if (2 ** height === hi - lo && lo % (hi - lo) === 0) return r.subtree(height, lo / (hi - lo));
      const k = below(hi - lo);
      return nodeHash(await r.range(lo, lo + k), await r.range(lo + k, hi));
    };
    // PATH(index, D[0:size]), leaf to root (proofs.inclusion_proof).
    r.proof = async (index) => {
      const path = [];
      for (let lo = 0, hi = size; hi - lo > 1;) {
        const k = below(hi - lo);
        if (index < lo + k) { path.push(await r.range(lo + k, hi)); hi = lo + k; }
        else { path.push(await r.range(lo, lo + k)); lo += k; }
      }
      return path.reverse();
    };
    // Each full tile read must fold into the hash its parent stores for it. Checked from
    // the top level down (parents read here are checked too), the first mismatch is the
    // altered tile; the partial tiles above were checked against the root.
    r.authenticate = async () => {
      const full = new Map();
      for (let grew = true; grew;) {
        grew = false;
        for (const [path, promise] of Array.from(tiles)) {
          const { tile, levels } = await promise;
          if (tile.width < W || full.has(path)) continue;
          full.set(path, { tile, fold: levels[8][0], parent: await r.subtree(8 * (tile.level + 1), tile.index) });
          grew = true;
        }
      }
      for (const { tile, fold, parent } of Array.from(full.values()).sort((a, b) => b.tile.level - a.tile.level)) {
        if (!equal(fold, parent)) throw new Failure("tile", tile.path + " ↛ " + b64(parent), tile.path);
      }
    };
    return r;
  }

  // RFC 9162 §2.1.3.2 (proofs.verify_inclusion).
  async function included(leaf, index, size, proof, root) {
    let fn = index;
    let sn = size - 1;
    let r = leaf;
    for (const p of proof) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(p, r);
        while (fn % 2 === 0 && fn !== 0) { fn = half(fn); sn = half(sn); }
      } else {
        r = await nodeHash(r, p);
      }
      fn = half(fn);
      sn = half(sn);
    }
    return sn === 0 && equal(r, root);
  }

  // The entry from its bundle: each entry a big-endian uint16 length, then its bytes.
  async function entryOf(index, size) {
    const tile = tileFor(-1, Math.floor(index / W), size);
    const { data, fallback } = await readTile(tile);
    const entries = [];
    let at = 0;
    for (let end; at + 2 <= data.length && (end = at + 2 + (data[at] << 8 | data[at + 1])) <= data.length; at = end) {
      entries.push(data.slice(at + 2, end));
    }
    if (at !== data.length || entries.length !== (fallback ? W : tile.width)) {
      throw new Failure("entry", tile.path + ": malformed", tile.path);
    }
    return { entry: entries[index % W], path: tile.path };
  }

  async function verify(index, pageLeaf, facts) {
    const vkey = await logKey();
    facts.key = vkey.text;
    const signed = await checkpoint(vkey);
    facts.size = signed.size;
    facts.root = b64(signed.root);
    facts.files = ["checkpoint"];
    if (index >= signed.size) return "pending";
    const r = reader(signed.size);
    try {
      const { entry, path } = await entryOf(index, signed.size);
      facts.files.push(path);
      const leaf = await sha256(concat([0], entry));
      facts.leaf = b64(leaf);
      try {
        const parsed = JSON.parse(new TextDecoder().decode(entry));
        facts.kind = parsed.type;
        facts.data = JSON.stringify(parsed.data);
      } catch (e) { /* not JSON: the hashes are still checked */ }
      const proof = await r.proof(index);
      facts.proof = proof.map(b64);
      const proved = await included(leaf, index, signed.size, proof, signed.root);
      // Every tile read must be the log's, whatever the proof says: the right edge (only
      // partial tiles: the top level always is one) gives the root, full tiles their parents.
      if (!equal(await r.range(0, signed.size), signed.root)) {
        const edge = r.paths().filter((p) => p.includes(".p/"));
        throw new Failure(edge.length > 1 ? "tiles" : "tile", edge.join(", ") + " ↛ " + facts.root, edge.join(", "));
      }
      await r.authenticate();
      const stored = await r.subtree(0, index);
      if (!equal(stored, leaf)) throw new Failure("entry", path + " ↛ " + b64(stored), path);
      if (pageLeaf && pageLeaf !== facts.leaf) throw new Failure("page", "page: " + pageLeaf);
      if (!proved) throw new Failure("proof", "RFC 9162 §2.1.3.2");
      return "verified";
    } finally {
      facts.files.push(...r.paths());
    }
  }

  // The control: <button class="verify" data-entry> + <span class="verify-result">.
  const number = (n) => new Intl.NumberFormat(document.documentElement.lang || undefined).format(n);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
  const make = (tag, props, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };

  function details(facts) {
    const list = make("dl", {});
    for (const name of ["failed", "entry", "kind", "data", "size", "root", "leaf", "key", "files", "proof"]) {
      if (facts[name] === undefined) continue;
      const values = [].concat(facts[name]).map((v) => make("code", { dir: "ltr" }, String(v)));
      list.append(make("dt", {}, S.labels[name]), make("dd", {}, ...values.flatMap((v) => [v, " "])));
    }
    return make("details", { className: "verify-details" }, make("summary", {}, S.details), list);
  }

  async function run(button) {
    const region = button.parentElement.querySelector(".verify-result");
    const old = button.parentElement.querySelector(".verify-details");
    if (old) old.remove();
    const index = Number(button.dataset.entry);
    const facts = { entry: index };
    const values = { index: number(index) };
    button.disabled = true;
    region.dataset.state = "checking";
    region.textContent = S.checking;
    let state;
    let message;
    try {
      state = await verify(index, button.dataset.leaf || "", facts);
      values.size = number(facts.size);
      message = S[state];
    } catch (error) {
      facts.failed = (error.kind ? error.kind + ": " : "") + error.message;
      state = error instanceof Failure ? "failed" : error instanceof Unsupported ? "unsupported" : "unavailable";
      message = state === "failed" ? S.failed[error.kind] : S[state];
      values.tile = "\u2068" + (error.file || "") + "\u2069"; // a path inside Arabic text
    }
    region.dataset.state = state;
    region.textContent = fill(message, values);
    region.after(details(facts));
    button.disabled = false;
  }

  const reveal = () => document.querySelectorAll("button.verify[data-entry][hidden]").forEach((b) => { b.hidden = false; });
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button.verify[data-entry]");
    if (button && !button.disabled) run(button);
  });
  document.addEventListener("htmx:afterSettle", reveal);
  reveal();
})();
