namespace Hcr.MLNet.Text;

/// <summary>One labelled image of handwritten text: the file, what is written in it, and who wrote it.</summary>
/// <param name="Path">The image file, absolute.</param>
/// <param name="Text">What is written (one word, or a few words on one line).</param>
/// <param name="Writer">The writer's id: images of one writer are never split between training and validation.</param>
public sealed record WordImage(string Path, string Text, string Writer);
