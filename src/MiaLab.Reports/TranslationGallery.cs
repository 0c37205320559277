using MiaLab.Core.Attacks;
using MiaLab.Core.Data;
using MiaLab.Core.IO;
using MiaLab.Core.Runs;
using MiaLab.Core.Translation;

namespace MiaLab.Reports;

/// <summary>One sample of an image-to-image run as the report shows it: its input, the target model's
/// output and the target image, with L_rec, L_pred and the attack's score.</summary>
public sealed record TranslationSample(int Index, bool Member, double Recon, double? Predictability, double Score,
    float[] Input, float[] Output, float[] Target);

/// <summary>The image-to-image part of the audit report: the target's mean L1 on its members and on
/// held-out samples, and, for the attack <paramref name="Attack"/>, the members it scores highest (most
/// exposed) and the non-members it scores lowest (most confidently rejected).</summary>
public sealed record TranslationGallery(string Attack, int[] InputShape, int[] TargetShape, double MemberL1, double HeldOutL1,
    IReadOnlyList<TranslationSample> Exposed, IReadOnlyList<TranslationSample> Rejected)
{
    /// <summary>Reads the gallery of <paramref name="target"/> from recon/ (its errors and the outputs the
    /// query stage kept), predictability.npy and the samples; ranks by recon-predictability when it was
    /// evaluated, else by recon. Null when the run is not image-to-image or the files are missing.</summary>
    public static TranslationGallery? Read(RunDirectory run, int target, Dataset? samples, IReadOnlyDictionary<string, double[]> scoresByAttack)
    {
        var paths = run.Paths;
        if (samples?.Targets is null || !File.Exists(paths.Recon(target)) || !File.Exists(paths.ReconGallery(target))) return null;
        string attack = scoresByAttack.ContainsKey(ReconstructionAttacks.PredictabilityName) ? ReconstructionAttacks.PredictabilityName
            : scoresByAttack.ContainsKey(ReconstructionAttacks.ReconName) ? ReconstructionAttacks.ReconName : "";
        if (attack.Length == 0) return null;
        var scores = scoresByAttack[attack];
        var errors = Npy.Read(paths.Recon(target));
        int a = errors.Shape[1];
        var recon = errors.ToFloat64();
        double[]? predictability = File.Exists(paths.Predictability) ? Npy.Read(paths.Predictability).ToFloat64() : null;
        var kept = Npz.Read(paths.ReconGallery(target));
        var indices = kept["indices"].ToInt64().Select(i => (int)i).ToArray();
        var outputs = kept["outputs"].ToFloat32();
        var keep = run.ReadKeep()[target];
        var holdout = run.ReadHoldout() ?? new bool[run.Samples];
        int t = samples.TargetLength, f = samples.FeatureLength;
        var position = indices.Select((sample, k) => (sample, k)).ToDictionary(p => p.sample, p => p.k);

        TranslationSample Sample(int i) => new(i, keep[i], recon[i * a], predictability?[i], scores[i],
            samples.Features.AsSpan(i * f, f).ToArray(), outputs.AsSpan(position[i] * t, t).ToArray(), samples.Targets.AsSpan(i * t, t).ToArray());
        var shown = position.Keys.ToHashSet();
        var exposed = Gallery.Top(i => scores[i], run.Samples, i => keep[i] && !holdout[i] && shown.Contains(i), descending: true, Gallery.PerGroup).Select(Sample).ToList();
        var rejected = Gallery.Top(i => scores[i], run.Samples, i => !keep[i] && !holdout[i] && shown.Contains(i), descending: false, Gallery.PerGroup).Select(Sample).ToList();
        bool anyHoldout = holdout.Any(h => h);
        double MeanL1(Func<int, bool> include)
        {
            var values = Enumerable.Range(0, run.Samples).Where(include).Select(i => recon[i * a]).ToList();
            return values.Count == 0 ? double.NaN : values.Average();
        }
        return new TranslationGallery(attack, samples.SampleShape, samples.TargetShape!,
            MeanL1(i => keep[i]), MeanL1(i => anyHoldout ? holdout[i] : !keep[i]), exposed, rejected);
    }

    /// <summary>Input | output | target side by side as one grey image [1, H, 3W + 2] (white separators),
    /// the output and target shown at the input's size.</summary>
    public float[] Strip(TranslationSample s, out int height, out int width)
    {
        int h = InputShape[1], w = InputShape[2];
        float[] input = ImageTasks.Mean(s.Input, InputShape[0], h, w);
        int factor = h / TargetShape[1];
        float[] Grey(float[] image) => ImageTasks.NearestUp(ImageTasks.Mean(image, TargetShape[0], TargetShape[1], TargetShape[2]), 1, TargetShape[1], TargetShape[2], factor);
        var panels = new[] { input, Grey(s.Output), Grey(s.Target) };
        height = h;
        width = 3 * w + 2;
        var strip = new float[height * width];
        Array.Fill(strip, 1f);
        for (int p = 0; p < 3; p++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) strip[y * width + p * (w + 1) + x] = panels[p][y * w + x];
        return strip;
    }
}
