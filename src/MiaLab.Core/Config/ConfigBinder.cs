using System.Globalization;
using System.Reflection;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MiaLab.Core.Config;

/// <summary>
/// Fills a <see cref="RunConfig"/> from YAML (or JSON, which is read as YAML) node by node, so
/// that every mistake is reported with the file, the key path and the line: unknown keys,
/// duplicated keys and values of the wrong type. Missing keys keep their defaults.
/// </summary>
internal static class ConfigBinder
{
    private static readonly NullabilityInfoContext Nullability = new();

    public static RunConfig Bind(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Raw tabs in JSON can only be whitespace between tokens (inside strings they are escaped),
        // but YAML refuses them as indentation: make them spaces so tab-indented JSON reads.
        if (text.TrimStart().StartsWith('{')) text = text.Replace('\t', ' ');

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InputException($"{source}: not valid YAML or JSON: {InputException.OneLine(e.Message)} (line {e.Start.Line})");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // A repeated key (older readers), or a syntax error the reader does not turn into a
            // YamlException (an unclosed flow sequence followed by more keys).
            throw new InputException($"{source}: not valid YAML or JSON: {InputException.OneLine(e.Message)}");
        }

        var config = new RunConfig();
        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
            throw new InputException($"{source}: the config is empty; write at least one key (examples/ has complete configs), or run 'mialab audit' without --config for the built-in audit");
        if (stream.Documents.Count > 1)
            throw new InputException($"{source}: holds {stream.Documents.Count} YAML documents; a config is one document (line {stream.Documents[1].RootNode.Start.Line})");
        var root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode map)
            throw new InputException($"{source}: the top level must be a mapping of keys such as 'seed:' and 'dataset:' (line {root.Start.Line})");
        BindObject(config, map, "", source);
        return config;
    }

    /// <summary>The snake_case key of a property, the same rule the canonical JSON uses.</summary>
    public static string KeyOf(PropertyInfo p) => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name);

    private static void BindObject(object target, YamlMappingNode map, string path, string source)
    {
        var props = target.GetType()
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0)
            .ToDictionary(KeyOf, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
                throw new InputException($"{source}: keys must be plain names, found a {Describe(keyNode)} {Where(path)} (line {keyNode.Start.Line})");
            if (!props.TryGetValue(key, out var prop))
                throw new InputException($"{source}: unknown key '{key}' {Where(path)} (line {keyNode.Start.Line}); "
                    + Suggest(key, props.Keys) + $"known keys: {string.Join(", ", props.Keys)}");
            if (!seen.Add(key))
                throw new InputException($"{source}: key '{Join(path, key)}' appears twice (line {keyNode.Start.Line})");
            bool nullable = Nullability.Create(prop).WriteState == NullabilityState.Nullable;
            prop.SetValue(target, Convert(valueNode, prop.PropertyType, nullable, Join(path, key), source));
        }
    }

    private static object? Convert(YamlNode node, Type type, bool nullable, string key, string source)
    {
        long line = node.Start.Line;
        if (IsNull(node))
        {
            if (type.IsClass && type != typeof(string) && !type.IsArray) return Activator.CreateInstance(type); // "section:" alone = defaults
            if (nullable) return null;
            throw new InputException($"{source}: {key} needs a value ({TypeName(type)}) (line {line})");
        }
        type = Nullable.GetUnderlyingType(type) ?? type; // an optional number, given

        if (type.IsArray)
        {
            if (node is not YamlSequenceNode seq)
                throw new InputException($"{source}: {key} must be a list of {TypeName(type.GetElementType()!)}s such as [..], got {Describe(node)} (line {line})");
            var element = type.GetElementType()!;
            var array = Array.CreateInstance(element, seq.Children.Count);
            for (int i = 0; i < seq.Children.Count; i++)
                array.SetValue(Convert(seq.Children[i], element, false, $"{key}[{i}]", source), i);
            return array;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            // A section whose keys the config does not fix (e.g. attacks.parameters: the attack
            // registry checks them in ConfigFile.Validate); only the values' types are checked here.
            if (type.GetGenericArguments()[0] != typeof(string))
                throw new InvalidOperationException($"config property {key} has unsupported type {type}");
            if (node is not YamlMappingNode entries)
                throw new InputException($"{source}: {key} must be a section of keys, got {Describe(node)} (line {line})");
            var valueType = type.GetGenericArguments()[1];
            var dictionary = (System.Collections.IDictionary)Activator.CreateInstance(type)!;
            foreach (var (keyNode, valueNode) in entries.Children)
            {
                if (keyNode is not YamlScalarNode { Value: { } name })
                    throw new InputException($"{source}: keys must be plain names, found a {Describe(keyNode)} in '{key}' (line {keyNode.Start.Line})");
                if (dictionary.Contains(name))
                    throw new InputException($"{source}: key '{Join(key, name)}' appears twice (line {keyNode.Start.Line})");
                dictionary[name] = Convert(valueNode, valueType, false, Join(key, name), source);
            }
            return dictionary;
        }

        if (type.IsClass && type != typeof(string))
        {
            if (node is not YamlMappingNode map)
                throw new InputException($"{source}: {key} must be a section of keys, got {Describe(node)} (line {line})");
            var obj = Activator.CreateInstance(type)!;
            BindObject(obj, map, key, source);
            return obj;
        }

        if (node is not YamlScalarNode scalar)
            throw new InputException($"{source}: {key} must be {Article(type)}, got {Describe(node)} (line {line})");
        string text = scalar.Value ?? "";

        if (type == typeof(string)) return text;
        if (type == typeof(int))
        {
            if (int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)) return v;
            throw new InputException($"{source}: {key} must be an integer, got '{Clip(text)}' (line {line})");
        }
        if (type == typeof(double))
        {
            if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)) return v;
            throw new InputException($"{source}: {key} must be a number, got '{Clip(text)}' (line {line})");
        }
        if (type == typeof(bool))
        {
            if (string.Equals(text.Trim(), "true", StringComparison.OrdinalIgnoreCase)) return true;
            if (string.Equals(text.Trim(), "false", StringComparison.OrdinalIgnoreCase)) return false;
            throw new InputException($"{source}: {key} must be true or false, got '{Clip(text)}' (line {line})");
        }
        throw new InvalidOperationException($"config property {key} has unsupported type {type}");
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s
        && (s.Value is null || s.Value is "" or "~" or "null" or "Null" or "NULL");

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static string Where(string path) => path.Length == 0 ? "at the top level" : $"in '{path}'";

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a section of keys",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{Clip(s.Value ?? "")}'",
        _ => "an alias",
    };

    private static string TypeName(Type t) =>
        t == typeof(int) ? "integer" : t == typeof(double) ? "number" : t == typeof(bool) ? "true/false"
        : t == typeof(string) ? "text" : t.IsArray ? "list" : "section";

    private static string Article(Type t) => TypeName(t) switch
    {
        "integer" => "an integer",
        "true/false" => "true or false",
        "text" => "text",
        var n => "a " + n,
    };

    private static string Clip(string s)
    {
        s = InputException.OneLine(s);
        return s.Length <= 40 ? s : s[..40] + "…";
    }

    private static string Suggest(string key, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            int d = EditDistance(key, k);
            if (d < bestDistance) { bestDistance = d; best = k; }
        }
        return best is not null && bestDistance <= Math.Max(2, key.Length / 4) ? $"did you mean '{best}'? " : "";
    }

    private static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
