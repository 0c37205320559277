using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiaLab.Cli.Terminal;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Privacy;
using MiaLab.Torch.Defenses;

namespace MiaLab.Cli.Commands;

/// <summary>`mialab dp …`: privacy accounting of DP-SGD and the one-run audit.</summary>
internal static class DpCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var command = new Command("dp", "Differential privacy of DP-SGD: ε from σ, σ from ε, and an empirical audit in one training run.");
        command.Subcommands.Add(Epsilon());
        command.Subcommands.Add(Noise());
        command.Subcommands.Add(Audit());
        return command;
    }


    private static Option<double> SampleRate() =>
        Options.RequiredNumber("--sample-rate", "q: each example's probability of being in a batch (Poisson sampling); in (0, 1].", 1e-12, 1.0);

    private static Option<double> Delta() =>
        Options.RequiredNumber("--delta", "δ of the (ε, δ) guarantee; in (0, 1).", 1e-300, 1 - 1e-12);

    private static Option<string> Accountant() => new("--accountant")
    {
        Description = "rdp (Opacus's RDP accountant) or prv (Gopi et al. 2021, tighter).",
        DefaultValueFactory = _ => "rdp",
    };

    private static Option<bool> JsonOutput() => new("--json") { Description = "Print one JSON object instead of a sentence." };

    private static string CheckAccountant(string name) => PrivacyAccounting.Accountants.Contains(name) ? name
        : throw new InputException($"--accountant must be one of {string.Join(", ", PrivacyAccounting.Accountants)} (got '{name}')");

    private static Command Epsilon()
    {
        var sigma = Options.RequiredNumber("--noise-multiplier", "σ: the noise's standard deviation over the clipping norm.", 0.0, 1e4);
        var q = SampleRate();
        var steps = Options.RequiredNumber("--steps", "T: the number of noisy steps.", 1L, 1_000_000_000L);
        var delta = Delta();
        var accountant = Accountant();
        var json = JsonOutput();
        var command = new Command("epsilon", "ε after T steps of DP-SGD at noise multiplier σ and sample rate q.\n" +
            "Example: mialab dp epsilon --noise-multiplier 1.5 --sample-rate 0.04 --steps 2250 --delta 1e-5") { sigma, q, steps, delta, accountant, json };
        command.SetAction(p => CommandRunner.Run(_ =>
        {
            string a = CheckAccountant(p.GetValue(accountant)!);
            double s = p.GetValue(sigma), r = p.GetValue(q), d = p.GetValue(delta);
            long t = p.GetValue(steps);
            double eps = PrivacyAccounting.Epsilon(a, s, r, t, d);
            Console.WriteLine(p.GetValue(json)
                ? new JsonObject { ["accountant"] = a, ["noise_multiplier"] = s, ["sample_rate"] = r, ["steps"] = t, ["delta"] = d, ["epsilon"] = Num(eps) }.ToJsonString()
                : $"ε = {eps.ToString("0.######", Inv)} ({a} accountant; σ = {s.ToString("G", Inv)}, q = {r.ToString("G", Inv)}, {t} steps, δ = {d.ToString("G", Inv)})");
            return 0;
        }));
        return command;
    }

    private static Command Noise()
    {
        var eps = Options.RequiredNumber("--epsilon", "The target ε.", 1e-6, 1e4);
        var delta = Delta();
        var q = SampleRate();
        var steps = Options.OptionalNumber("--steps", "T: the number of steps (or give --epochs).", 1L, 1_000_000_000L);
        var epochs = Options.OptionalNumber("--epochs", "Epochs; T = ⌊epochs / q⌋ as Opacus counts them.", 1e-6, 1e6);
        var accountant = Accountant();
        var json = JsonOutput();
        var command = new Command("noise", "The smallest noise multiplier σ whose ε after T steps is at most the target (within 0.01 below it).\n" +
            "Example: mialab dp noise --epsilon 8 --delta 1e-5 --sample-rate 0.04 --epochs 90") { eps, delta, q, steps, epochs, accountant, json };
        command.SetAction(p => CommandRunner.Run(_ =>
        {
            string a = CheckAccountant(p.GetValue(accountant)!);
            double e = p.GetValue(eps), d = p.GetValue(delta), r = p.GetValue(q);
            long? s = p.GetValue(steps);
            double? ep = p.GetValue(epochs);
            if (s is null == ep is null) throw new InputException("give exactly one of --steps and --epochs");
            long t = s ?? PrivacyAccounting.StepsForEpochs(ep!.Value, r);
            double sigma = PrivacyAccounting.NoiseMultiplier(a, e, d, r, t);
            double reached = PrivacyAccounting.Epsilon(a, sigma, r, t, d);
            Console.WriteLine(p.GetValue(json)
                ? new JsonObject { ["accountant"] = a, ["target_epsilon"] = e, ["delta"] = d, ["sample_rate"] = r, ["steps"] = t, ["noise_multiplier"] = sigma, ["epsilon"] = reached }.ToJsonString()
                : $"σ = {sigma.ToString("0.######", Inv)} gives ε = {reached.ToString("0.####", Inv)} ≤ {e.ToString("G", Inv)} ({a} accountant; q = {r.ToString("G", Inv)}, {t} steps, δ = {d.ToString("G", Inv)})");
            return 0;
        }));
        return command;
    }

    private static Command Audit()
    {
        var config = Options.Config(required: true);
        var run = Options.Run(required: false);
        run.Description = "The audit's folder (default: runs/<config name>-dp-audit); dp-audit.json is written there.";
        var canaries = Options.Number("--canaries", "m, the number of canaries (each trains with probability ½).", 2, 1_000_000, 1000);
        var json = JsonOutput();
        var command = new Command("audit", "Privacy auditing in one training run (Steinke, Nasr, Jagielski 2023): m canaries each included with " +
            "probability ½, one model trained with the config's defense, the loss attack's k most and least confident guesses, and ε̂, the " +
            "largest ε a 95% binomial test rejects; beside the accountant's ε for the same training.\nExample: mialab dp audit --config my-dp.yaml")
        { config, run, canaries, json };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            string path = p.GetValue(config)!;
            var cfg = ConfigFile.Load(path);
            int m = p.GetValue(canaries);
            if (m < 2) throw new InputException($"--canaries must be at least 2 (got {m})");
            string folder = p.GetValue(run) ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(path) + "-dp-audit");
            // With --json, stdout carries the JSON object only.
            var result = p.GetValue(json) ? CanaryAudit.Run(cfg, folder, m, cancel: cancel)
                : ProgressDisplay.Run(progress => CanaryAudit.Run(cfg, folder, m, progress, null, cancel));
            var a = result.Audit;
            if (p.GetValue(json))
            {
                Console.WriteLine(new JsonObject
                {
                    ["canaries"] = a.Canaries,
                    ["included"] = a.Included,
                    ["guesses"] = a.Best.Guesses,
                    ["correct"] = a.Best.Correct,
                    ["epsilon_lower_bound"] = a.Epsilon,
                    ["confidence"] = a.Confidence,
                    ["accountant_epsilon"] = result.Privacy is null ? null : Num(result.Privacy.Epsilon),
                    ["delta"] = a.Delta,
                    ["test_accuracy"] = Num(result.TestAccuracy),
                }.ToJsonString());
                return 0;
            }
            Console.WriteLine($"One-run audit: {a.Canaries} canaries ({a.Included} trained on); best of {a.Levels.Count} abstention levels: " +
                $"{a.Best.Correct} of {a.Best.Guesses} guesses right → ε̂ = {a.Epsilon.ToString("0.###", Inv)} (95%, Bonferroni over the levels).");
            Console.WriteLine(result.Privacy is { } pv
                ? $"Accountant ({pv.Accountant}): ε = {pv.Epsilon.ToString("0.###", Inv)} at δ = {pv.Delta.ToString("G", Inv)} (σ = {pv.NoiseMultiplier.ToString("0.###", Inv)}, C = {pv.MaxGradNorm.ToString("G", Inv)}, q = {pv.SampleRate.ToString("G", Inv)}, {pv.Steps} steps)."
                : "No DP-SGD in this config: there is no accountant's ε to compare with.");
            Console.WriteLine($"Written: {Path.Combine(folder, CanaryAudit.ResultFile)}");
            return 0;
        }));
        return command;
    }

    private static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
