"""Where annotations live: the journaled TinyDB storage and the store on top of it."""
