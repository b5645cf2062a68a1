package io.dray.core;

import io.dray.support.MutableClock;
import java.time.Duration;

class InMemoryStoresTest extends StoresContract {
    private final MutableClock clock = new MutableClock(T0);

    @Override
    protected Stores newStores() {
        return new InMemoryStores(clock).stores();
    }

    @Override
    protected void passTime(Duration duration) {
        clock.advance(duration);
    }
}
