using System.CommandLine;
using MiaLab.Core;
using MiaLab.Core.IO;
using MiaLab.Core.Signals;

namespace MiaLab.Cli.Commands;

internal static class SignalCommand
{
    public static Command Create()
    {
        var logits = new Option<string>("--logits") { Description = "Logits [N, C] or [N, A, C], .npy.", Required = true };
        var labels = new Option<string>("--labels") { Description = "Labels [N], .npy.", Required = true };
        var kind = new Option<string>("--kind") { Description = $"One of: {string.Join(", ", Signal.ValidNames)}.", Required = true };
        var output = new Option<string>("--out") { Description = "Output .npy: [N] or [N, A], float64.", Required = true };
        var probs = new Option<bool>("--probs") { Description = "The input holds probabilities, not logits." };
        var memberScore = new Option<bool>("--member-score") { Description = "Write the score oriented higher = member (e.g. −loss) instead of the raw signal." };
        var command = new Command("signal", "Compute a per-sample signal (ALGORITHMS.md §1) from a model's outputs.\n" +
            "Example: mialab signal --logits runs/fm/logits/model-0000.npy --labels runs/fm/labels.npy --kind loss --out loss.npy")
        { logits, labels, kind, output, probs, memberScore };
        command.SetAction(p => CommandRunner.Run(_ =>
        {
            var k = Signal.Parse(p.GetValue(kind)!);
            var values = Npy.Read(p.GetValue(logits)!);
            var y = NpyVectors.Labels(p.GetValue(labels)!);
            if (values.Shape.Length is not (2 or 3))
                throw new InputException($"--logits must be [N, C] or [N, A, C], got [{string.Join(", ", values.Shape)}]");
            int n = values.Shape[0], a = values.Shape.Length == 3 ? values.Shape[1] : 1, c = values.Shape[^1];
            if (y.Length != n) throw new InputException($"--labels has {y.Length} values but --logits has {n} rows");
            var x = values.ToFloat32();
            if (x.Any(v => !float.IsFinite(v))) throw new InputException($"{p.GetValue(logits)} contains NaN or infinite values");
            var result = Signal.Compute(k, x, y, a, c, p.GetValue(probs));
            if (p.GetValue(memberScore))
                for (int i = 0; i < result.Length; i++) result[i] = Signal.ToMemberScore(k, result[i]);
            int[] shape = values.Shape.Length == 3 ? [n, a] : [n];
            Npy.Write(p.GetValue(output)!, new NpyArray(result, shape));
            Console.WriteLine($"Wrote {Signal.Name(k)} for {n} samples to {p.GetValue(output)}");
            return 0;
        }));
        return command;
    }
}
