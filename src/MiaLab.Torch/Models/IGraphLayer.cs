namespace MiaLab.Torch.Models;

/// <summary>A stacked layer that can write one model's slice of itself into a <see cref="GraphRecorder"/>
/// (its operation on value <c>x</c>, named <c>name</c> when given); returns the output's name.</summary>
internal interface IGraphLayer
{
    string Describe(GraphRecorder graph, string x, string? name = null);
}
