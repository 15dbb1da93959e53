package hudson.model;

import java.io.Serializable;

/** Test stand-in for Jenkins core's {@code hudson.model.User}: only the id, which the library reads. */
public final class User implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String id;

    public User(String id) {
        this.id = id;
    }

    public String getId() {
        return id;
    }
}
