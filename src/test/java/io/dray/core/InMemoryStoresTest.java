package io.dray.core;

import io.dray.support.MutableClock;
import java.time.Duration;

class InMemoryStoresTest extends StoresContract {
    private final MutableClock clock = new MutableClock(T0);
    private InMemoryStores store;

    @Override
    protected Stores newStores() {
        store = new InMemoryStores(clock);
        return store.stores();
    }

    @Override
    protected Stores storesWithRetention(Duration retention) {
        store.setRetention(retention);
        return store.stores();
    }

    @Override
    protected void passTime(Duration duration) {
        clock.advance(duration);
    }
}
