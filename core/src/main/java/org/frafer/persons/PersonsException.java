package org.frafer.persons;

/**
 * A user-facing problem with persons or profiles (bad store file, unknown person, unusable
 * enrolment photo); the message names the file or person.
 */
public class PersonsException extends RuntimeException {
    public PersonsException(String message) {
        super(message);
    }

    public PersonsException(String message, Throwable cause) {
        super(message, cause);
    }
}
