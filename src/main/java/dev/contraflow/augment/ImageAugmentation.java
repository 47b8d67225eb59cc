package dev.contraflow.augment;

import dev.contraflow.io.image.Image;

/**
 * One random image transform of a contrastive view recipe (SimCLR, Chen et al. 2020; MoCo v2,
 * Chen et al. 2020).
 *
 * <p>A transform never changes its input. It writes a new image with the input's id, except when
 * it draws "not applied" or has nothing to do (a flip that does not fire, greyscale of a grey
 * image): then it returns the input itself. That is safe because an {@link Image}'s pixels must
 * not change after construction, and it saves one image-sized copy per skipped step on the
 * training hot path.
 *
 * <p>All randomness comes from the {@link Rng} passed in, so the same image and generator state
 * always give the same output.
 */
@FunctionalInterface
public interface ImageAugmentation {

  Image apply(Image in, Rng rng);
}
