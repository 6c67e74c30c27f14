package org.in2stream.pipeline.tokenize;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A byte-level BPE {@code tokenizer.json} (Llama 3, Qwen2/2.5/3, GPT-2 style) encoded in Java with
 * the Hugging Face library's semantics, at jtokkit's speed: added tokens matched in the text, the
 * pre-tokenizer's pieces, then merges by merge rank (not tiktoken's vocabulary rank: the two differ
 * for vocabularies such as Qwen's whose merges do not reach every token; {@code ignore_merges} is
 * honoured). Counts the text itself as {@link HfTokenizer} does: no BOS/EOS, but added tokens in
 * the text are matched, as the Rust library does. {@link ByteLevelBpeLoader} decides from the
 * {@code tokenizer.json} whether a file can be run this way.
 *
 * <p>Texts this class cannot prove it encodes exactly go to the reference (DJL's binding of the Rust
 * library, loaded on first need): texts with code points Java's Unicode tables do not know (the
 * Rust library's may: a newer letter would be split differently), with unpaired surrogates, or,
 * for tokenizers that NFC-normalize, stretches that are not already in NFC. Thread-safe.
 */
final class ByteLevelBpeTokenizer implements TextTokenizer {
  /** Pieces of more symbols than this merge through a heap instead of rescans. */
  private static final int SHORT_PIECE = 48;
  private static final int CACHE_LIMIT = 200_000;

  private final String spec;
  private final PieceSplitter splitter;
  private final AddedTokens added;
  private final boolean nfc;
  private final int[] byteIds;
  private final PairMerges merges;
  /** Whole pieces that are one token ({@code ignore_merges}), by their text; null if merges rule. */
  private final Map<String, Integer> wholePieces;
  /** UTF-8 length of each token id (of its content for added tokens). */
  private final int[] tokenBytes;
  private final boolean lineBreakRules;
  private final Supplier<TextTokenizer> reference;
  private volatile TextTokenizer loadedReference;
  private final int probeTokens;
  /** Pieces already merged; bounded, so long-running workers do not grow it without end. */
  private final Map<String, int[]> cache = new ConcurrentHashMap<>();

  ByteLevelBpeTokenizer(String spec, PieceSplitter splitter, AddedTokens added, boolean nfc,
      int[] byteIds, PairMerges merges, Map<String, Integer> wholePieces, int[] tokenBytes,
      boolean lineBreakRules, Supplier<TextTokenizer> reference) {
    this.spec = spec;
    this.splitter = splitter;
    this.added = added;
    this.nfc = nfc;
    this.byteIds = byteIds;
    this.merges = merges;
    this.wholePieces = wholePieces;
    this.tokenBytes = tokenBytes;
    this.lineBreakRules = lineBreakRules && !added.anyWhitespace();
    this.reference = reference;
    this.probeTokens = count(LineBreaks.PROBE);
  }

  @Override
  public String spec() {
    return spec;
  }

  @Override
  public int count(String text) {
    if (text.isEmpty()) {
      return 0;
    }
    Out out = new Out(false);
    return encode(text, out) ? out.count : reference().count(text);
  }

  @Override
  public int[] tokenCharStarts(String text) {
    if (text.isEmpty()) {
      return new int[0];
    }
    Out out = new Out(true);
    return encode(text, out) ? Arrays.copyOf(out.starts, out.count)
        : reference().tokenCharStarts(text);
  }

  /** The token ids of {@code text}, as the Rust library gives them without special tokens. */
  int[] ids(String text) {
    if (text.isEmpty()) {
      return new int[0];
    }
    Out out = new Out(true);
    if (encode(text, out)) {
      return Arrays.copyOf(out.ids, out.count);
    }
    TextTokenizer ref = reference();
    if (ref instanceof HfTokenizer) {
      return ((HfTokenizer) ref).ids(text);
    }
    throw new IllegalStateException("no reference tokenizer gives ids for " + spec);
  }

  /** True if {@code text} was encoded here; false if only the reference can encode it exactly. */
  boolean isExact(String text) {
    return encode(text, new Out(false));
  }

  @Override
  public boolean additiveAfterLineBreak(String next) {
    return lineBreakRules && LineBreaks.startsAfterLineBreak(next);
  }

  @Override
  public boolean additive(String left, String right) {
    return lineBreakRules && LineBreaks.additiveBeforeSpace(left, right);
  }

  @Override
  public int countWithNewline(String text, int tokens) {
    return lineBreakRules ? LineBreaks.withNewline(this, text, tokens) : count(text + "\n");
  }

  @Override
  public int countBeforeLine(String text, int tokens, String separator) {
    if (!lineBreakRules) {
      return TextTokenizer.super.countBeforeLine(text, tokens, separator);
    }
    return LineBreaks.beforeLine(this, probeTokens, text, tokens, separator);
  }

  private TextTokenizer reference() {
    TextTokenizer r = loadedReference;
    if (r == null) {
      synchronized (this) {
        if (loadedReference == null) {
          loadedReference = reference.get();
        }
        r = loadedReference;
      }
    }
    return r;
  }

  /** Tokens found so far: their count, and ids and char starts if asked for. */
  private static final class Out {
    final boolean keep;
    int count;
    int[] ids;
    int[] starts;

    Out(boolean keep) {
      this.keep = keep;
      if (keep) {
        ids = new int[64];
        starts = new int[64];
      }
    }

    void add(int id, int start) {
      if (keep) {
        if (count == ids.length) {
          ids = Arrays.copyOf(ids, count * 2);
          starts = Arrays.copyOf(starts, count * 2);
        }
        ids[count] = id;
        starts[count] = start;
      }
      count++;
    }
  }

  /** Encodes into {@code out}; false (with {@code out} incomplete) if the reference must do it. */
  private boolean encode(String text, Out out) {
    if (!knownToJava(text)) {
      return false;
    }
    boolean[] exact = {true};
    added.split(text, new AddedTokens.Sink() {
      @Override
      public void text(int start, int end) {
        if (!exact[0]) {
          return;
        }
        if (nfc && !isNfc(text, start, end)) {
          exact[0] = false;
          return;
        }
        splitter.split(text, start, end, (s, e) -> piece(text, s, e, out));
      }

      @Override
      public void token(int id, int start, int end) {
        out.add(id, start);
      }
    });
    return exact[0];
  }

  private void piece(String text, int s, int e, Out out) {
    String piece = text.substring(s, e);
    int[] tokens = cache.get(piece);
    if (tokens == null) {
      tokens = merge(piece);
      if (cache.size() < CACHE_LIMIT) {
        cache.putIfAbsent(piece, tokens);
      }
    }
    if (!out.keep) {
      out.count += tokens.length;
      return;
    }
    if (tokens.length == 1) {
      out.add(tokens[0], s);
      return;
    }
    // Each token starts in the character that holds its first byte.
    int charIndex = s;
    int charByte = 0; // UTF-8 offset of charIndex within the piece
    int tokenByte = 0;
    for (int t : tokens) {
      while (charIndex < e) {
        int cp = text.codePointAt(charIndex);
        int len = utf8Length(cp);
        if (charByte + len > tokenByte) {
          break;
        }
        charByte += len;
        charIndex += Character.charCount(cp);
      }
      out.add(t, charIndex);
      tokenByte += tokenBytes[t];
    }
  }

  /** The tokens of one piece: the whole piece if it is a token and merges are ignored, else BPE. */
  int[] merge(String piece) {
    if (wholePieces != null) {
      Integer id = wholePieces.get(piece);
      if (id != null) {
        return new int[] {id};
      }
    }
    int[] ids = byteTokens(piece.getBytes(StandardCharsets.UTF_8));
    int n = ids.length;
    if (n == 1) {
      return ids;
    }
    n = n <= SHORT_PIECE ? mergeShort(ids, n) : mergeLong(ids, n);
    return n == ids.length ? ids : Arrays.copyOf(ids, n);
  }

  /** The one-byte tokens that merging starts from. */
  int[] byteTokens(byte[] bytes) {
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = byteIds[bytes[i] & 0xFF];
    }
    return ids;
  }

  /**
   * Repeatedly merges the pair of lowest merge rank, the leftmost of equals, until no pair has a
   * merge: the order of the Rust library's priority queue (rank, then position).
   */
  int mergeShort(int[] ids, int n) {
    long[] pairs = new long[n - 1];
    for (int i = 0; i + 1 < n; i++) {
      pairs[i] = merges.get(ids[i], ids[i + 1]);
    }
    while (n > 1) {
      int best = -1;
      long bestRank = Long.MAX_VALUE;
      for (int i = 0; i + 1 < n; i++) {
        long v = pairs[i];
        if (v != PairMerges.NONE && (v >>> 32) < bestRank) {
          bestRank = v >>> 32;
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      ids[best] = PairMerges.merged(pairs[best]);
      System.arraycopy(ids, best + 2, ids, best + 1, n - best - 2);
      if (n - best - 3 > 0) {
        System.arraycopy(pairs, best + 2, pairs, best + 1, n - best - 3);
      }
      n--;
      if (best > 0) {
        pairs[best - 1] = merges.get(ids[best - 1], ids[best]);
      }
      if (best + 1 < n) {
        pairs[best] = merges.get(ids[best], ids[best + 1]);
      }
    }
    return n;
  }

  /** The same merges through a heap of (rank, position), for long pieces (whitespace runs...). */
  int mergeLong(int[] ids, int n) {
    int[] next = new int[n];
    int[] prev = new int[n];
    long[] heap = new long[2 * n];
    int size = 0;
    for (int i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
      if (i + 1 < n) {
        long v = merges.get(ids[i], ids[i + 1]);
        if (v != PairMerges.NONE) {
          size = push(heap, size, (v & 0xFFFFFFFF00000000L) | i);
        }
      }
    }
    while (size > 0) {
      long top = heap[0];
      heap[0] = heap[--size];
      siftDown(heap, size);
      int pos = (int) top;
      int rank = (int) (top >>> 32);
      int nx;
      if (ids[pos] < 0 || (nx = next[pos]) < 0) {
        continue;
      }
      long v = merges.get(ids[pos], ids[nx]);
      if (v == PairMerges.NONE || PairMerges.rank(v) != rank) {
        continue; // stale: a neighbour has merged since this pair was queued
      }
      ids[pos] = PairMerges.merged(v);
      ids[nx] = -1;
      next[pos] = next[nx];
      if (next[pos] >= 0) {
        prev[next[pos]] = pos;
      }
      if (size + 2 > heap.length) {
        heap = Arrays.copyOf(heap, heap.length * 2);
      }
      if (prev[pos] >= 0) {
        long p = merges.get(ids[prev[pos]], ids[pos]);
        if (p != PairMerges.NONE) {
          size = push(heap, size, (p & 0xFFFFFFFF00000000L) | prev[pos]);
        }
      }
      if (next[pos] >= 0) {
        long q = merges.get(ids[pos], ids[next[pos]]);
        if (q != PairMerges.NONE) {
          size = push(heap, size, (q & 0xFFFFFFFF00000000L) | pos);
        }
      }
    }
    int w = 0;
    for (int i = 0; i < n; i++) {
      if (ids[i] >= 0) {
        ids[w++] = ids[i];
      }
    }
    return w;
  }

  private static int push(long[] heap, int size, long value) {
    int i = size;
    heap[i] = value;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heap[parent] <= heap[i]) {
        break;
      }
      long t = heap[parent];
      heap[parent] = heap[i];
      heap[i] = t;
      i = parent;
    }
    return size + 1;
  }

  private static void siftDown(long[] heap, int size) {
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      if (l >= size) {
        return;
      }
      int m = l + 1 < size && heap[l + 1] < heap[l] ? l + 1 : l;
      if (heap[i] <= heap[m]) {
        return;
      }
      long t = heap[m];
      heap[m] = heap[i];
      heap[i] = t;
      i = m;
    }
  }

  /** No unpaired surrogate and no code point that Java's Unicode tables leave unassigned. */
  private static boolean knownToJava(String text) {
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        continue;
      }
      int cp = c;
      if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c) || i + 1 >= n
            || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        cp = Character.toCodePoint(c, text.charAt(++i));
      }
      if (Character.getType(cp) == Character.UNASSIGNED) {
        return false;
      }
    }
    return true;
  }

  private static boolean isNfc(String text, int start, int end) {
    for (int i = start; i < end; i++) {
      if (text.charAt(i) >= 0x300) { // no character below U+0300 changes under NFC or composes
        return Normalizer.isNormalized(text.subSequence(start, end), Normalizer.Form.NFC);
      }
    }
    return true;
  }

  private static int utf8Length(int cp) {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
}
