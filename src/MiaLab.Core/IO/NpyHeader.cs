using System.Globalization;
using System.Text;

namespace MiaLab.Core.IO;

/// <summary>
/// The .npy header: the magic, version, and a Python dict literal
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>.
/// Parsing is a small literal reader (strings, True/False, ints, tuples, lists) — never an eval.
/// </summary>
internal static class NpyHeader
{
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>numpy aligns the data start to 64 bytes so files can be memory-mapped.</summary>
    public const int Align = 64;

    /// <summary>numpy (1.24+) leaves room for the first axis to grow to this many digits.</summary>
    private const int GrowthAxisMaxDigits = 21;

    public readonly record struct Info(DType DType, int[] Shape, long DataBytes);

    /// <summary>Reads magic, version and header dict; leaves the stream at the first data byte.</summary>
    public static Info Read(Stream s, string source)
    {
        Span<byte> pre = stackalloc byte[8];
        if (BulkBinary.ReadUpTo(s, pre) < 8 || !pre[..6].SequenceEqual(Magic))
            throw new InputException($"{source}: not an .npy file (bad magic bytes)");
        byte major = pre[6], minor = pre[7];
        int headerLength;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            if (BulkBinary.ReadUpTo(s, len) < 2) throw Truncated(source);
            headerLength = len[0] | (len[1] << 8);
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            if (BulkBinary.ReadUpTo(s, len) < 4) throw Truncated(source);
            uint n = (uint)(len[0] | (len[1] << 8) | (len[2] << 16) | (len[3] << 24));
            if (n > 1 << 24) throw new InputException($"{source}: malformed .npy header: header length {n} is implausibly large");
            headerLength = (int)n;
        }
        else
        {
            throw new InputException($"{source}: unsupported .npy format version {major}.{minor} (MiaLab reads 1.0, 2.0 and 3.0)");
        }

        var headerBytes = new byte[headerLength];
        if (BulkBinary.ReadUpTo(s, headerBytes) < headerLength) throw Truncated(source);
        // Versions 1 and 2 store the header as latin1; version 3 as UTF-8.
        string text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        return Interpret(text, source);
    }

    private static InputException Truncated(string source) =>
        new($"{source}: truncated .npy file (the header is cut short)");

    private static Info Interpret(string text, string source)
    {
        Dictionary<string, object> dict;
        try
        {
            var p = new LiteralParser(text);
            dict = p.ParseDict();
            p.ExpectEnd();
        }
        catch (FormatException e)
        {
            throw new InputException($"{source}: malformed .npy header: {e.Message}");
        }

        if (dict.Count != 3 || !dict.ContainsKey("descr") || !dict.ContainsKey("fortran_order") || !dict.ContainsKey("shape"))
            throw new InputException($"{source}: malformed .npy header: expected exactly the keys 'descr', 'fortran_order', 'shape', found {string.Join(", ", dict.Keys.Select(k => $"'{k}'"))}");
        if (dict["fortran_order"] is not bool fortran)
            throw new InputException($"{source}: malformed .npy header: 'fortran_order' is not True or False");
        if (dict["shape"] is not List<object> shapeItems || shapeItems.Any(o => o is not long))
            throw new InputException($"{source}: malformed .npy header: 'shape' is not a tuple of integers");

        var shape = new int[shapeItems.Count];
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            long d = (long)shapeItems[i];
            if (d < 0 || d > int.MaxValue)
                throw new InputException($"{source}: malformed .npy header: dimension {d} is out of range");
            shape[i] = (int)d;
            count *= d;
            if (count > Array.MaxLength)
                throw new InputException($"{source}: array of shape {NpyArray.FormatShape(shapeItems.Select(o => (int)Math.Min((long)o, int.MaxValue)))} has more elements than .NET arrays hold ({Array.MaxLength})");
        }

        DType dtype = dict["descr"] switch
        {
            string descr => DTypes.FromDescr(descr) ?? throw UnsupportedDescr(source, descr),
            _ => throw new InputException($"{source}: unsupported dtype: structured (record) arrays are not supported; save one plain array per field"),
        };

        // A Fortran-ordered array of rank ≤ 1 has the same bytes as a C-ordered one.
        if (fortran && shape.Length > 1)
            throw new InputException($"{source} is Fortran-ordered; save it with numpy.ascontiguousarray");

        return new Info(dtype, shape, count * DTypes.Size(dtype));
    }

    private static InputException UnsupportedDescr(string source, string descr)
    {
        const string supported = "MiaLab reads float32 '<f4', float64 '<f8', int64 '<i8', int32 '<i4', uint8 '|u1' and bool '|b1'";
        if (descr.Length > 1 && descr[0] == '>')
            return new InputException($"{source}: dtype '{descr}' is big-endian; save it little-endian with array.astype('<{descr[1..]}')");
        return new InputException($"{source}: unsupported dtype '{descr}'; {supported}");
    }

    /// <summary>The full header (magic through the final '\n'), laid out byte for byte as numpy writes it.</summary>
    public static byte[] Build(DType dtype, int[] shape)
    {
        var text = new StringBuilder();
        text.Append("{'descr': '").Append(DTypes.Descr(dtype)).Append("', 'fortran_order': False, 'shape': ")
            .Append(NpyArray.FormatShape(shape)).Append(", }");
        if (shape.Length > 0)
            text.Append(' ', GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length);

        byte[] dict = Encoding.Latin1.GetBytes(text.ToString());
        // Version 1.0 has a 2-byte length; fall back to 2.0 (4 bytes) only when the header needs it.
        foreach (int version in new[] { 1, 2 })
        {
            int prefix = 8 + (version == 1 ? 2 : 4);
            int withNewline = dict.Length + 1;
            int pad = Align - (prefix + withNewline) % Align; // numpy pads a full 64 when already aligned
            int headerLength = withNewline + pad;
            if (version == 1 && headerLength > ushort.MaxValue) continue;

            var result = new byte[prefix + headerLength];
            Magic.CopyTo(result);
            result[6] = (byte)version;
            result[7] = 0;
            if (version == 1)
            {
                result[8] = (byte)headerLength;
                result[9] = (byte)(headerLength >> 8);
            }
            else
            {
                for (int b = 0; b < 4; b++) result[8 + b] = (byte)(headerLength >> (8 * b));
            }
            dict.CopyTo(result, prefix);
            result.AsSpan(prefix + dict.Length, pad).Fill((byte)' ');
            result[^1] = (byte)'\n';
            return result;
        }
        throw new InvalidOperationException("unreachable: a version 2.0 header holds any shape");
    }

    /// <summary>Reads the subset of Python literals that appear in .npy headers.</summary>
    private sealed class LiteralParser(string text)
    {
        /// <summary>A real header nests two levels (the dict and the shape tuple; a structured dtype a
        /// few more); a deeper one is hostile, and recursing into it could exhaust the stack.</summary>
        public const int MaxDepth = 32;

        private int _pos, _depth;

        public Dictionary<string, object> ParseDict()
        {
            using var _ = Nest();
            SkipSpace();
            Expect('{');
            var dict = new Dictionary<string, object>();
            while (true)
            {
                SkipSpace();
                if (Peek() == '}') { _pos++; return dict; }
                if (ParseValue() is not string key) throw new FormatException($"dictionary key at offset {_pos} is not a string");
                SkipSpace();
                Expect(':');
                object value = ParseValue();
                if (!dict.TryAdd(key, value)) throw new FormatException($"key '{key}' appears twice");
                SkipSpace();
                if (Peek() == ',') { _pos++; continue; }
                if (Peek() == '}') { _pos++; return dict; }
                throw new FormatException($"expected ',' or '}}' at offset {_pos}");
            }
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_pos != text.Length) throw new FormatException($"unexpected text after the dictionary at offset {_pos}");
        }

        private object ParseValue()
        {
            SkipSpace();
            char c = Peek();
            switch (c)
            {
                case '\'' or '"': return ParseString();
                case '(': return ParseSequence(')');
                case '[': return ParseSequence(']');
                case '{': return ParseDict();
            }
            if (c == '-' || char.IsAsciiDigit(c))
            {
                int start = _pos;
                if (c == '-') _pos++;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
                string digits = text[start.._pos];
                if (_pos < text.Length && text[_pos] is 'L' or 'l') _pos++; // Python 2 long suffix
                return long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)
                    ? v : throw new FormatException($"bad integer '{digits}'");
            }
            if (Match("True")) return true;
            if (Match("False")) return false;
            if (Match("None")) return "None";
            throw new FormatException($"unexpected character '{c}' at offset {_pos}");
        }

        private string ParseString()
        {
            char quote = text[_pos++];
            var sb = new StringBuilder();
            while (_pos < text.Length && text[_pos] != quote)
            {
                if (text[_pos] == '\\' && _pos + 1 < text.Length) _pos++;
                sb.Append(text[_pos++]);
            }
            if (_pos >= text.Length) throw new FormatException("unterminated string");
            _pos++;
            return sb.ToString();
        }

        private List<object> ParseSequence(char close)
        {
            using var _ = Nest();
            _pos++;
            var items = new List<object>();
            while (true)
            {
                SkipSpace();
                if (Peek() == close) { _pos++; return items; }
                items.Add(ParseValue());
                SkipSpace();
                if (Peek() == ',') { _pos++; continue; }
                if (Peek() == close) { _pos++; return items; }
                throw new FormatException($"expected ',' or '{close}' at offset {_pos}");
            }
        }

        private Depth Nest()
        {
            if (++_depth > MaxDepth) throw new FormatException($"nested more than {MaxDepth} levels deep at offset {_pos}");
            return new Depth(this);
        }

        private readonly struct Depth(LiteralParser parser) : IDisposable
        {
            public void Dispose() => parser._depth--;
        }

        private bool Match(string word)
        {
            if (string.CompareOrdinal(text, _pos, word, 0, word.Length) != 0) return false;
            _pos += word.Length;
            return true;
        }

        private void Expect(char c)
        {
            if (Peek() != c) throw new FormatException($"expected '{c}' at offset {_pos}");
            _pos++;
        }

        private char Peek() => _pos < text.Length ? text[_pos] : throw new FormatException("the header ends too early");

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }
    }
}
