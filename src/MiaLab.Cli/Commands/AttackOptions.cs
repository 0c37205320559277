using System.CommandLine;
using System.Globalization;
using MiaLab.Core;
using MiaLab.Core.Attacks;
using MiaLab.Core.Config;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Pipeline;

namespace MiaLab.Cli.Commands;

/// <summary>
/// The command-line form of a config's attacks section: the reference policy, the evaluation's
/// resamples and confidence level, and one option per attack parameter of the registry
/// (--rmia-gamma, --lira-variance, …). An option overrides the config's value; both are checked
/// before any work starts.
/// </summary>
internal sealed class AttackOptions
{
    private readonly Option<string> refs = new("--refs")
    {
        Description = "Explicit reference models: one list for every target (2,3; a target in it is left out of its own), " +
            "or a list per target (0=2,3;1=2,3). Implies --ref-policy explicit.",
    };

    private readonly Option<string> policy = new("--ref-policy")
    {
        Description = $"Which models serve as each target's references: {string.Join(" | ", ConfigFile.ReferencePolicies)} " +
            "(default all-others; all-but-mate leaves out the target's complementary mate; out-k takes, per sample, " +
            "exactly --out-refs models that did not train on it and as many that did).",
    };

    private readonly Option<int?> outRefs = Options.OptionalNumber("--out-refs", "With --ref-policy out-k: the OUT references per sample (k).", 1, 100_000);

    private readonly Option<int?> bootstrap = Options.OptionalNumber("--bootstrap",
        "Bootstrap resamples for the confidence intervals (0 = none; default 1000).", 0, ConfigFile.MaxBootstrapResamples);

    private readonly Option<double?> confidence = new("--confidence")
    {
        Description = "Confidence level of every interval, in (0, 1) (default 0.95).",
    };

    private readonly IReadOnlyList<(AttackParameter Parameter, Option<string> Option)> parameters =
        AttackRegistry.Parameters.Select(p => (p, new Option<string>(p.Option)
        {
            Description = $"{p.Description} Values: {p.Range}. Default: {AttackRegistry.DefaultsOf(p)}. Config: attacks.parameters.{p.Key}.",
        })).ToList();

    public void AddTo(Command command)
    {
        command.Options.Add(refs);
        command.Options.Add(policy);
        command.Options.Add(outRefs);
        command.Options.Add(bootstrap);
        command.Options.Add(confidence);
        foreach (var (_, option) in parameters) command.Options.Add(option);
    }

    /// <summary>The attacks section <paramref name="fromConfig"/> with the options given on the command
    /// line applied and everything checked, and the reference policy it names (a shared --refs list
    /// has no config form, so it is returned beside it).</summary>
    public AttackChoice Apply(ParseResult p, AttacksConfig fromConfig)
    {
        var config = ConfigFile.Clone(new RunConfig { Attacks = fromConfig }).Attacks;
        if (p.GetValue(policy) is string name)
        {
            if (!ConfigFile.ReferencePolicies.Contains(name))
                throw new InputException($"--ref-policy must be one of {string.Join(", ", ConfigFile.ReferencePolicies)} (got '{name}')");
            config.References = name;
            if (name != ReferencePolicy.Explicit) config.ReferenceLists = [];
        }
        if (p.GetValue(outRefs) is int k)
        {
            if (config.References != ReferencePolicy.OutK) throw new InputException("--out-refs goes with --ref-policy out-k");
            config.OutReferences = k;
        }
        if (p.GetValue(bootstrap) is int resamples) config.BootstrapResamples = resamples;
        if (p.GetValue(confidence) is double level)
        {
            if (!(level > 0 && level < 1)) throw new InputException($"--confidence must be in (0, 1) (got {level.ToString(CultureInfo.InvariantCulture)})");
            config.ConfidenceLevel = level;
        }
        foreach (var (parameter, option) in parameters)
        {
            if (p.GetValue(option) is not string value) continue;
            if (!config.Parameters.TryGetValue(parameter.Group, out var group)) config.Parameters[parameter.Group] = group = [];
            group[parameter.Name] = parameter.Parse(value, parameter.Option);
        }
        IReadOnlyList<int>? shared = null;
        if (p.GetValue(refs) is string text)
        {
            if (p.GetValue(policy) is string other && other != ReferencePolicy.Explicit)
                throw new InputException($"--refs gives explicit references; it does not go with --ref-policy {other}");
            config.ReferenceLists = [];
            shared = ParseRefs(text, config.ReferenceLists);
            config.References = shared is null ? ReferencePolicy.Explicit : ReferencePolicy.AllOthers;
        }
        ConfigFile.Validate(new RunConfig { Attacks = config });
        return new AttackChoice(config, shared is null ? ReferencePolicy.From(config) : ReferencePolicy.SameList(shared));
    }

    /// <summary>"2,3" → one list for all (returned); "0=2,3;1=0,3" → per-target lists (into <paramref name="lists"/>).</summary>
    private static IReadOnlyList<int>? ParseRefs(string text, Dictionary<string, int[]> lists)
    {
        if (!text.Contains('='))
            return Stages.ParseList(text, "--refs")!.Select(r => Index(r, "--refs")).ToArray();
        foreach (var entry in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2) throw new InputException($"--refs: '{entry}' is not target=models, e.g. 0=2,3");
            int target = Index(parts[0], "--refs");
            var models = Stages.ParseList(parts[1], $"--refs (target {target})")!.Select(r => Index(r, "--refs")).ToArray();
            if (models.Contains(target)) throw new InputException($"--refs: the list of target {target} names the target itself");
            if (models.Distinct().Count() != models.Length) throw new InputException($"--refs: the list of target {target} names a model twice");
            if (!lists.TryAdd(target.ToString(CultureInfo.InvariantCulture), models)) throw new InputException($"--refs gives target {target} twice");
        }
        if (lists.Count == 0) throw new InputException("--refs is empty; give a comma-separated list, or target=list entries separated by ';'");
        return null;
    }

    private static int Index(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value : throw new InputException($"{option}: '{text}' is not a model index");
}

/// <summary>The attack settings a command runs with: the attacks section (config and options merged)
/// and the reference policy.</summary>
internal sealed record AttackChoice(AttacksConfig Config, ReferencePolicy Policy)
{
    public AttackPlan Plan(IReadOnlyList<int> targets, IReadOnlyList<string>? attacks, int seed) =>
        AttackPlan.FromConfig(Config, targets, attacks, seed) with { References = Policy };

    public EvaluationOptions Evaluation(int seed) => new(Config.BootstrapResamples, seed) { ConfidenceLevel = Config.ConfidenceLevel };
}
