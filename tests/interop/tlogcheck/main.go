// Command tlogcheck checks an Amanah transparency log with Go's reference implementation,
// golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog, and prints what Go computed
// as JSON, so tests/interop/test_go_sumdb_interop.py can compare it byte for byte with
// amanah.transparency.
//
// It reads a log directory in the c2sp.org/tlog-tiles layout (checkpoint, tile/<L>/<N>[.p/<W>],
// tile/entries/<N>[.p/<W>]). Go's tlog names the same tiles tile/8/<L>/<N>[.p/<W>] and
// tile/8/data/<N>[.p/<W>]; the TileReader below maps one spelling onto the other and does
// nothing else: no fallback from a partial tile to a full one, an error for a missing file.
//
// Usage:
//
//	tlogcheck [-dir LOG -vkey VKEY [-indexes 0,5,...] [-old 1,7,...]
//	          [-old-checkpoints FILE,...] [-rebuild]] [-skey SKEY -text FILE]
//
// Exit status 0 when every check passed, 1 when any failed (the JSON's "errors" says
// which), 2 for bad usage.
//
// Go's tlog.TreeHash(0) is 32 zero bytes, whereas RFC 9162's empty tree hash is
// SHA-256(""); a size-0 checkpoint is therefore only opened, its root is not compared.
package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

type inclusion struct {
	Index int64    `json:"index"`
	Proof []string `json:"proof"`
	OK    bool     `json:"ok"`
	Error string   `json:"error,omitempty"`
}

type consistency struct {
	Old     int64    `json:"old"`
	OldRoot string   `json:"old_root"`
	File    string   `json:"file,omitempty"`
	Proof   []string `json:"proof"`
	OK      bool     `json:"ok"`
	Error   string   `json:"error,omitempty"`
}

type rebuild struct {
	TreeHash      string   `json:"tree_hash"`
	TilesCompared int      `json:"tiles_compared"`
	Mismatches    []string `json:"mismatches"`
}

type report struct {
	OK               bool          `json:"ok"`
	Errors           []string      `json:"errors"`
	Notes            []string      `json:"notes"`
	CheckpointText   string        `json:"checkpoint_text"`
	Origin           string        `json:"origin"`
	Size             int64         `json:"size"`
	Root             string        `json:"root"`
	Signers          []string      `json:"signers"`
	TreeHash         string        `json:"tree_hash,omitempty"`
	VerifiedTreeHash string        `json:"verified_tree_hash,omitempty"`
	TilesRequested   []string      `json:"tiles_requested"`
	Inclusion        []inclusion   `json:"inclusion"`
	Consistency      []consistency `json:"consistency"`
	Rebuild          *rebuild      `json:"rebuild,omitempty"`
	SignedNote       string        `json:"signed_note,omitempty"`
}

func (r *report) fail(format string, args ...interface{}) {
	r.Errors = append(r.Errors, fmt.Sprintf(format, args...))
}

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

func b64s(hashes []tlog.Hash) []string {
	out := make([]string, len(hashes))
	for i, h := range hashes {
		out[i] = b64(h)
	}
	return out
}

// c2spPath maps Go's tile path to the C2SP one: drop the height, say "entries" for "data".
func c2spPath(t tlog.Tile) (string, error) {
	goPath := t.Path()
	prefix := fmt.Sprintf("tile/%d/", height)
	if t.H != height || !strings.HasPrefix(goPath, prefix) {
		return "", fmt.Errorf("tile %s does not have height %d", goPath, height)
	}
	rest := strings.TrimPrefix(goPath, prefix)
	if strings.HasPrefix(rest, "data/") {
		rest = "entries/" + strings.TrimPrefix(rest, "data/")
	}
	if back, err := tlog.ParseTilePath(goPath); err != nil || back != t {
		return "", fmt.Errorf("tile path %s does not round-trip through tlog.ParseTilePath", goPath)
	}
	return "tile/" + rest, nil
}

// dirTiles is a tlog.TileReader over a C2SP log directory.
type dirTiles struct {
	dir       string
	requested []string // C2SP paths read, each once, in the order first asked for
	seen      map[string]bool
}

func (d *dirTiles) Height() int { return height }

func (d *dirTiles) read(t tlog.Tile) ([]byte, error) {
	path, err := c2spPath(t)
	if err != nil {
		return nil, err
	}
	if !d.seen[path] {
		d.seen[path] = true
		d.requested = append(d.requested, path)
	}
	return os.ReadFile(filepath.Join(d.dir, filepath.FromSlash(path)))
}

func (d *dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := d.read(t)
		if err != nil {
			return nil, err
		}
		data[i] = b
	}
	return data, nil
}

func (d *dirTiles) SaveTiles([]tlog.Tile, [][]byte) {}

// tileAt is the tile holding stored hash `index` as it stands in a tree of `size` records:
// full, or partial with the width that tree size gives it (Go's unexported tileParent(t, 0, n)).
func tileAt(index, size int64) tlog.Tile {
	t := tlog.TileForIndex(height, index)
	t.W = 1 << height
	if stored := size >> uint(t.L*height); t.N<<height+int64(t.W) > stored {
		t.W = int(stored - t.N<<height)
	}
	return t
}

// rawHashes reads stored hashes straight from the tiles of a tree of `size` records,
// authenticating nothing: it lets Go compute the root the tiles imply, right or wrong.
func rawHashes(d *dirTiles, size int64) tlog.HashReaderFunc {
	cache := map[tlog.Tile][]byte{}
	return func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			t := tileAt(x, size)
			if t.W <= 0 {
				return nil, fmt.Errorf("stored hash %d is not in a tree of size %d", x, size)
			}
			data, ok := cache[t]
			if !ok {
				var err error
				if data, err = d.read(t); err != nil {
					return nil, err
				}
				if len(data) != t.W*tlog.HashSize {
					return nil, fmt.Errorf("%s is %d bytes, want %d", t.Path(), len(data), t.W*tlog.HashSize)
				}
				cache[t] = data
			}
			h, err := tlog.HashFromTile(t, data, x)
			if err != nil {
				return nil, err
			}
			out[i] = h
		}
		return out, nil
	}
}

// entries reads entry bundle n of a tree of `size` records: uint16 big-endian lengths.
func entries(d *dirTiles, n, size int64) ([][]byte, error) {
	w := size - n<<height
	if w > 1<<height {
		w = 1 << height
	}
	if w <= 0 {
		return nil, fmt.Errorf("no entry bundle %d in a tree of size %d", n, size)
	}
	t := tlog.Tile{H: height, L: -1, N: n, W: int(w)}
	data, err := d.read(t)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, fmt.Errorf("%s: truncated length prefix", t.Path())
		}
		l := int(data[0])<<8 | int(data[1])
		if len(data) < 2+l {
			return nil, fmt.Errorf("%s: entry %d runs past the end", t.Path(), len(out))
		}
		out = append(out, data[2:2+l])
		data = data[2+l:]
	}
	if len(out) != t.W {
		return nil, fmt.Errorf("%s holds %d entries, want %d", t.Path(), len(out), t.W)
	}
	return out, nil
}

// openCheckpoint verifies a checkpoint note with note.Open and parses its body strictly.
func openCheckpoint(msg []byte, verifier note.Verifier) (*note.Note, string, int64, tlog.Hash, error) {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return nil, "", 0, tlog.Hash{}, err
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		return n, "", 0, tlog.Hash{}, fmt.Errorf("checkpoint has fewer than three lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || lines[1] != strconv.FormatInt(size, 10) {
		return n, "", 0, tlog.Hash{}, fmt.Errorf("checkpoint size %q is not canonical", lines[1])
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil || b64(root) != lines[2] {
		return n, "", 0, tlog.Hash{}, fmt.Errorf("checkpoint root %q is not a base64 hash", lines[2])
	}
	return n, lines[0], size, root, nil
}

func parseInts(text string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(text, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func main() {
	dir := flag.String("dir", "", "log directory (C2SP layout)")
	vkey := flag.String("vkey", "", "verifier key of the log")
	indexList := flag.String("indexes", "", "comma-separated record indexes to prove")
	oldList := flag.String("old", "", "comma-separated older tree sizes to prove consistency from")
	oldFiles := flag.String("old-checkpoints", "", "comma-separated files of older signed checkpoints")
	doRebuild := flag.Bool("rebuild", false, "rebuild the tree from the entries with tlog.StoredHashes and compare every hash tile")
	skey := flag.String("skey", "", "signer key: sign -text with note.Sign")
	textFile := flag.String("text", "", "file holding the note text to sign")
	flag.Parse()

	indexes, err1 := parseInts(*indexList)
	olds, err2 := parseInts(*oldList)
	if (*dir == "") != (*vkey == "") || (*skey == "") != (*textFile == "") || (*dir == "" && *skey == "") || err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "usage: tlogcheck [-dir LOG -vkey VKEY [-indexes I,...] [-old N,...] [-old-checkpoints F,...] [-rebuild]] [-skey SKEY -text FILE]")
		os.Exit(2)
	}

	r := &report{Errors: []string{}, Notes: []string{}, Inclusion: []inclusion{}, Consistency: []consistency{}}
	defer func() {
		r.OK = len(r.Errors) == 0
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", " ")
		if err := enc.Encode(r); err != nil {
			os.Exit(2)
		}
		if !r.OK {
			os.Exit(1)
		}
	}()
	run(r, *dir, *vkey, indexes, olds, *oldFiles, *doRebuild, *skey, *textFile)
}

func run(r *report, dir, vkey string, indexes, olds []int64, oldFiles string, doRebuild bool, skey, textFile string) {
	// (e) note.Sign, independent of the log.
	if skey != "" {
		text, err := os.ReadFile(textFile)
		if err != nil {
			r.fail("read text: %v", err)
		} else if signer, err := note.NewSigner(skey); err != nil {
			r.fail("note.NewSigner: %v", err)
		} else if msg, err := note.Sign(&note.Note{Text: string(text)}, signer); err != nil {
			r.fail("note.Sign: %v", err)
		} else {
			r.SignedNote = string(msg)
		}
	}

	if dir == "" {
		return
	}

	// (a) the checkpoint.
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		r.fail("note.NewVerifier: %v", err)
		return
	}
	msg, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		r.fail("read checkpoint: %v", err)
		return
	}
	n, origin, size, root, err := openCheckpoint(msg, verifier)
	if err != nil {
		r.fail("checkpoint: %v", err)
		return
	}
	r.CheckpointText, r.Origin, r.Size, r.Root = n.Text, origin, size, b64(root)
	for _, s := range n.Sigs {
		r.Signers = append(r.Signers, s.Name)
	}
	if origin != verifier.Name() {
		r.fail("checkpoint origin %q is not the key name %q", origin, verifier.Name())
	}
	if size == 0 {
		h, err := tlog.TreeHash(0, nil)
		if err != nil {
			r.fail("tlog.TreeHash(0): %v", err)
		}
		r.TreeHash = b64(h)
		r.Notes = append(r.Notes, "size 0: tlog.TreeHash(0) is 32 zero bytes, not RFC 9162's SHA-256(\"\"); root not compared")
		return
	}

	// (b) the root, first from the tiles as they are, then through tlog.TileHashReader,
	// which authenticates every tile it reads against the checkpoint.
	tiles := &dirTiles{dir: dir, seen: map[string]bool{}} // what tlog.TileHashReader asks for
	plain := &dirTiles{dir: dir, seen: map[string]bool{}} // the raw reader's, the entry bundles' and the rebuild's reads
	if h, err := tlog.TreeHash(size, rawHashes(plain, size)); err != nil {
		r.fail("tlog.TreeHash over the raw tiles: %v", err)
	} else {
		r.TreeHash = b64(h)
		if h != root {
			r.fail("tlog.TreeHash(%d) = %s, checkpoint says %s", size, b64(h), b64(root))
		}
	}
	hr := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, tiles)
	if h, err := tlog.TreeHash(size, hr); err != nil {
		r.fail("tlog.TreeHash through tlog.TileHashReader: %v", err)
	} else {
		r.VerifiedTreeHash = b64(h)
	}
	defer func() { r.TilesRequested = tiles.requested }()

	// (c) inclusion of records, hashed from the entry bundles.
	bundles := map[int64][][]byte{}
	for _, index := range indexes {
		item := inclusion{Index: index, Proof: []string{}}
		err := func() error {
			if index < 0 || index >= size {
				return fmt.Errorf("index %d is not in a tree of size %d", index, size)
			}
			bundle, ok := bundles[index>>height]
			if !ok {
				var err error
				if bundle, err = entries(plain, index>>height, size); err != nil {
					return err
				}
				bundles[index>>height] = bundle
			}
			proof, err := tlog.ProveRecord(size, index, hr)
			if err != nil {
				return fmt.Errorf("tlog.ProveRecord: %v", err)
			}
			item.Proof = b64s(proof)
			leaf := tlog.RecordHash(bundle[index&(1<<height-1)])
			if err := tlog.CheckRecord(proof, size, root, index, leaf); err != nil {
				return fmt.Errorf("tlog.CheckRecord: %v", err)
			}
			return nil
		}()
		if err != nil {
			item.Error = err.Error()
			r.fail("inclusion of %d: %v", index, err)
		}
		item.OK = err == nil
		r.Inclusion = append(r.Inclusion, item)
	}

	// (d) consistency with older sizes (old root computed by Go from the tiles) and with
	// older signed checkpoints (old root as signed).
	prove := func(item consistency, oldRoot tlog.Hash) consistency {
		item.Proof = []string{}
		proof, err := tlog.ProveTree(size, item.Old, hr)
		if err == nil {
			item.Proof = b64s(proof)
			if err = tlog.CheckTree(proof, size, root, item.Old, oldRoot); err != nil {
				err = fmt.Errorf("tlog.CheckTree: %v", err)
			}
		} else {
			err = fmt.Errorf("tlog.ProveTree: %v", err)
		}
		if err != nil {
			item.Error = err.Error()
			r.fail("consistency from %d (%s): %v", item.Old, item.File, err)
		}
		item.OK = err == nil
		return item
	}
	for _, old := range olds {
		if old < 1 || old > size {
			r.fail("old size %d is not in 1..%d", old, size)
			continue
		}
		oldRoot, err := tlog.TreeHash(old, hr)
		if err != nil {
			r.fail("tlog.TreeHash(%d): %v", old, err)
			continue
		}
		r.Consistency = append(r.Consistency, prove(consistency{Old: old, OldRoot: b64(oldRoot)}, oldRoot))
	}
	for _, file := range strings.Split(oldFiles, ",") {
		if file == "" {
			continue
		}
		oldMsg, err := os.ReadFile(file)
		if err != nil {
			r.fail("read %s: %v", file, err)
			continue
		}
		_, oldOrigin, old, oldRoot, err := openCheckpoint(oldMsg, verifier)
		if err == nil && oldOrigin != origin {
			err = fmt.Errorf("origin %q is not %q", oldOrigin, origin)
		}
		if err == nil && (old < 1 || old > size) {
			err = fmt.Errorf("size %d is not in 1..%d", old, size)
		}
		if err != nil {
			r.fail("old checkpoint %s: %v", file, err)
			continue
		}
		r.Consistency = append(r.Consistency, prove(consistency{Old: old, OldRoot: b64(oldRoot), File: file}, oldRoot))
	}

	// Rebuild the whole tree the way sum.golang.org does (tlog.StoredHashes) from the
	// entries, and compare every hash tile Go would publish with ours, byte for byte.
	if doRebuild {
		var stored []tlog.Hash
		mem := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(idx))
			for i, x := range idx {
				if x < 0 || x >= int64(len(stored)) {
					return nil, fmt.Errorf("stored hash %d not yet computed", x)
				}
				out[i] = stored[x]
			}
			return out, nil
		})
		rb := &rebuild{Mismatches: []string{}}
		err := func() error {
			for record := int64(0); record < size; record++ {
				if record&(1<<height-1) == 0 {
					bundle, err := entries(plain, record>>height, size)
					if err != nil {
						return err
					}
					bundles[record>>height] = bundle
				}
				hashes, err := tlog.StoredHashes(record, bundles[record>>height][record&(1<<height-1)], mem)
				if err != nil {
					return err
				}
				stored = append(stored, hashes...)
				if record&(1<<height-1) == 1<<height-1 {
					delete(bundles, record>>height)
				}
			}
			h, err := tlog.TreeHash(size, mem)
			if err != nil {
				return err
			}
			rb.TreeHash = b64(h)
			if h != root {
				r.fail("rebuilt tree hash %s is not the checkpoint's %s", b64(h), b64(root))
			}
			for _, t := range tlog.NewTiles(height, 0, size) {
				if t.W < 1<<height && t.W != tileAt(tlog.StoredHashIndex(t.L*height, t.N<<height), size).W {
					continue // NewTiles lists every narrower partial tile too; a log keeps only the current one
				}
				want, err := tlog.ReadTileData(t, mem)
				if err != nil {
					return err
				}
				got, err := plain.read(t)
				rb.TilesCompared++
				if err != nil || string(got) != string(want) {
					path, _ := c2spPath(t)
					rb.Mismatches = append(rb.Mismatches, path)
				}
			}
			return nil
		}()
		if err != nil {
			r.fail("rebuild: %v", err)
		}
		if len(rb.Mismatches) > 0 {
			r.fail("rebuild: %d tiles differ from Go's: %v", len(rb.Mismatches), rb.Mismatches)
		}
		r.Rebuild = rb
	}
}
