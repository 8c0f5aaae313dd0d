using Hcr.MLNet.Data;

namespace Hcr.MLNet.Text;

/// <summary>What <see cref="HandwritingTextReaderBuilder.WithSyntheticEmnist(EmnistDataset, int)"/> recorded: the characters and how many words to compose.</summary>
internal sealed record SyntheticWordSource(EmnistDataset Characters, int Words);

/// <summary>Word and line images to write in the handwriting fonts of <paramref name="Folder"/> (<see cref="FontWords"/>).</summary>
internal sealed record FontWordSource(string Folder, int Words);
