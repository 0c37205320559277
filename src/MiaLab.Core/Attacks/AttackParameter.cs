using System.Globalization;

namespace MiaLab.Core.Attacks;

/// <summary>What values an attack parameter takes.</summary>
public enum ParameterKind
{
    /// <summary>A finite number within the parameter's range.</summary>
    Number,
    /// <summary>A number within the range, or "auto" (the attack chooses it).</summary>
    NumberOrAuto,
    /// <summary>One of the parameter's choices.</summary>
    Choice,
    /// <summary>true or false.</summary>
    Flag,
}

/// <summary>
/// One setting an attack reads, declared once in <see cref="AttackParameters"/>: the config key
/// (attacks.parameters.&lt;group&gt;.&lt;name&gt;), the command-line option (--&lt;group&gt;-&lt;name&gt;), the
/// values it takes and a one-line description. The config binder, the CLI's help and the
/// records beside the scores all read it from here. Values travel as canonical text (numbers in
/// round-trip form, "auto", a choice, "true"/"false"), which is also how they are recorded.
/// </summary>
public sealed record AttackParameter(
    string Group,
    string Name,
    ParameterKind Kind,
    string Description,
    double Min = double.NegativeInfinity,
    double Max = double.PositiveInfinity,
    bool MinExclusive = false,
    bool MaxExclusive = false,
    IReadOnlyList<string>? Choices = null)
{
    public const string Auto = "auto";

    /// <summary>"rmia.gamma": the key under attacks.parameters, and the name in error messages.</summary>
    public string Key => $"{Group}.{Name}";

    /// <summary>"--rmia-gamma".</summary>
    public string Option => $"--{Group}-{Name.Replace('_', '-')}";

    /// <summary>The values it takes, for help and errors: "> 0", "[0, 1] or auto", "per-sample | global | auto".</summary>
    public string Range => Kind switch
    {
        ParameterKind.Choice => string.Join(" | ", Choices!),
        ParameterKind.Flag => "true | false",
        ParameterKind.NumberOrAuto => NumberRange() + " or auto",
        _ => NumberRange(),
    };

    /// <summary>The canonical form of <paramref name="text"/>, or an <see cref="InputException"/>
    /// "&lt;where&gt; must be … (got …)" naming the parameter.</summary>
    public string Parse(string text, string where)
    {
        string t = (text ?? "").Trim();
        switch (Kind)
        {
            case ParameterKind.Choice:
                foreach (var c in Choices!)
                    if (string.Equals(c, t, StringComparison.OrdinalIgnoreCase)) return c;
                throw Bad(where, t, $"one of {string.Join(", ", Choices!)}");
            case ParameterKind.Flag:
                if (string.Equals(t, "true", StringComparison.OrdinalIgnoreCase)) return "true";
                if (string.Equals(t, "false", StringComparison.OrdinalIgnoreCase)) return "false";
                throw Bad(where, t, "true or false");
            case ParameterKind.NumberOrAuto when string.Equals(t, Auto, StringComparison.OrdinalIgnoreCase):
                return Auto;
            default:
                string range = double.IsFinite(Min) && double.IsFinite(Max) ? $"in {NumberRange()}" : NumberRange();
                if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                    throw Bad(where, t, $"a number {range}" + (Kind == ParameterKind.NumberOrAuto ? " or auto" : ""));
                if (!InRange(v))
                    throw Bad(where, t, range + (Kind == ParameterKind.NumberOrAuto ? " or auto" : ""));
                return Format(v);
        }
    }

    /// <summary>Round-trip text of a number, the form every recorded value takes.</summary>
    public static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private bool InRange(double v) =>
        (MinExclusive ? v > Min : v >= Min) && (MaxExclusive ? v < Max : v <= Max);

    private string NumberRange()
    {
        bool low = double.IsFinite(Min), high = double.IsFinite(Max);
        if (low && high) return $"{(MinExclusive ? "(" : "[")}{Format(Min)}, {Format(Max)}{(MaxExclusive ? ")" : "]")}";
        if (low) return $"{(MinExclusive ? ">" : "≥")} {Format(Min)}";
        if (high) return $"{(MaxExclusive ? "<" : "≤")} {Format(Max)}";
        return "(any)";
    }

    private InputException Bad(string where, string got, string expected) =>
        new($"{where} must be {expected} (got '{InputException.OneLine(got)}')");
}

/// <summary>A parameter as one registry entry uses it: its default there, or the value a preset
/// fixes (a preset such as lira-online-fixed-var is its base attack with some values fixed).</summary>
public sealed record ParameterUse(AttackParameter Parameter, string Default, bool Fixed = false);
