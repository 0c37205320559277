using System.Globalization;

namespace MiaLab.Core.Attacks;

/// <summary>
/// The values one attack runs with, by parameter name ("gamma": "1"), each canonical text that
/// its <see cref="AttackParameter"/> accepted. Built by <see cref="AttackDefinition.Settle"/>
/// from the entry's defaults, a preset's fixed values and the user's settings; recorded as is.
/// </summary>
public sealed class AttackSettings
{
    public static readonly AttackSettings None = new(new Dictionary<string, string>());

    public AttackSettings(IReadOnlyDictionary<string, string> values) =>
        Values = new SortedDictionary<string, string>(values.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Values { get; }

    public double Number(AttackParameter p) => double.Parse(Get(p), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The number, or null for "auto".</summary>
    public double? NumberOrAuto(AttackParameter p) => Get(p) == AttackParameter.Auto ? null : Number(p);

    public string Choice(AttackParameter p) => Get(p);

    public bool Flag(AttackParameter p) => Get(p) == "true";

    private string Get(AttackParameter p) =>
        Values.TryGetValue(p.Name, out var v) ? v : throw new InvalidOperationException($"the attack was settled without parameter {p.Key}");
}
