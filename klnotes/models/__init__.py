"""Teaching models: the small models the book's machine-learning chapters train.

These are not part of the numerical core (``klnotes`` itself); they exist so that a
chapter's experiment is short and its gradients can be read and tested.

:mod:`klnotes.models.vae`
    A NumPy variational autoencoder with hand-written backpropagation, Adam, free bits
    and a beta schedule (chapter 5).
:mod:`klnotes.models.vae_extras`
    What one measures about a trained VAE (the objective's distortion, the rate
    split into mutual information and marginal KL, active units, the
    importance-weighted bound) and smooth free bits (chapter 5).
:mod:`klnotes.models.ppo`
    PPO's adaptive-beta rule and the clipped / penalised surrogate with exact gradients
    (chapter 6).
:mod:`klnotes.models.bandit`
    A noisy contextual bandit trained with PPO's surrogates: an action sampler, full-batch
    ascent on the surrogate, and the training loop of chapter 6's experiment.
:mod:`klnotes.models.seeds`
    The median and range of a statistic over the seeds an experiment is repeated
    from (chapters 5 and 6).
"""
