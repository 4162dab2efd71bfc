"""Users: owns sign-in state (me, register, logout), profiles, saved addresses and saved payment methods."""
