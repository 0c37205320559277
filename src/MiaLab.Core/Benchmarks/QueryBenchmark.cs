using System.Diagnostics;
using MiaLab.Core.Data;
using MiaLab.Core.Models;
using MiaLab.Core.Pipeline;

namespace MiaLab.Core.Benchmarks;

/// <summary>One way of querying a model: samples per second through the query stage's own loop.</summary>
/// <param name="MaxDifference">Largest |output − first row's output| on the same samples: the ways agree.</param>
public sealed record QueryBenchmarkRow(string Runtime, string Model, int Samples, int Passes, double Seconds, double SamplesPerSecond, double MaxDifference);

/// <summary>
/// Times the same model behind <see cref="IModel"/> in several runtimes (TorchSharp, and ONNX
/// Runtime on its export): each answers the samples through <see cref="ModelQuery"/> in batches of
/// <see cref="ModelQuery.BatchSize"/>, as the query stage does, for at least the given time after
/// one warm-up pass.
/// </summary>
public static class QueryBenchmark
{
    public static IReadOnlyList<QueryBenchmarkRow> Run(IReadOnlyList<(string Runtime, IModel Model)> ways, Dataset data, string model,
        double secondsPerCase = 10, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(ways);
        ArgumentNullException.ThrowIfNull(data);
        var rows = new List<QueryBenchmarkRow>();
        float[]? reference = null;
        foreach (var (runtime, m) in ways)
        {
            var outputs = ModelQuery.Query(m, data, [ModelQuery.Identity]); // warm-up (and the outputs compared)
            reference ??= outputs;
            double difference = 0;
            for (int i = 0; i < outputs.Length; i++) difference = Math.Max(difference, Math.Abs(outputs[i] - reference[i]));
            int passes = 0;
            var clock = Stopwatch.StartNew();
            do
            {
                ModelQuery.Query(m, data, [ModelQuery.Identity]);
                passes++;
            } while (clock.Elapsed.TotalSeconds < secondsPerCase);
            double seconds = clock.Elapsed.TotalSeconds;
            var row = new QueryBenchmarkRow(runtime, model, data.Count, passes, seconds, (double)passes * data.Count / seconds, difference);
            rows.Add(row);
            log?.Invoke($"{runtime}: {row.SamplesPerSecond:0} samples/s ({passes} passes over {data.Count} samples in {seconds:0.0} s)");
        }
        return rows;
    }
}
