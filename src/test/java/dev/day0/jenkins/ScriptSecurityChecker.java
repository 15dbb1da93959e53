package dev.day0.jenkins;

import groovy.lang.GroovyClassLoader;
import groovy.lang.MetaClass;
import groovy.lang.MetaMethod;
import groovy.lang.Script;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codehaus.groovy.reflection.CachedMethod;
import org.codehaus.groovy.runtime.InvokerHelper;
import org.codehaus.groovy.runtime.MetaClassHelper;
import org.kohsuke.groovy.sandbox.GroovyInterceptor;

/**
 * What script-security's sandbox does to a folder-level library, for the step tests: every method call,
 * constructor and property or field access made by sandbox-transformed code (the library's vars and the test's
 * pipeline, compiled with groovy-sandbox's SandboxTransformer) is checked against the signature lists copied from
 * script-security (src/test/resources/jenkins/script-security). A call that is not on them is refused with a
 * RejectedAccess, as Jenkins refuses it, and remembered, so a test sees it even when the library catches it.
 *
 * Code the sandbox compiled itself (the pipeline script, the vars, their closures) may call its own methods and the
 * pipeline steps, as in Jenkins. The resolution follows script-security's SandboxInterceptor in what matters here:
 * a Java method is allowed when its signature, declared by its class or by a superclass or interface it overrides,
 * is listed; a Groovy extension method when its DefaultGroovyMethods-style static signature is listed; a Map
 * property is Map.get/put.
 */
public final class ScriptSecurityChecker extends GroovyInterceptor {
    static final String LISTS = "/jenkins/script-security/";
    private static final Set<String> WHITELIST = load("script-security-generic-whitelist",
            "script-security-jenkins-whitelist", "plugin-whitelisted-annotations");
    private static final Set<String> BLACKLIST = load("script-security-blacklist");
    private static final List<Class<?>> EXTENSION_HOLDERS = holders();

    /** Thrown for a refused signature, with the text Jenkins' RejectedAccessException carries. */
    public static final class RejectedAccess extends SecurityException {
        private static final long serialVersionUID = 1L;

        RejectedAccess(String signature) {
            super("Scripts not permitted to use " + signature);
        }
    }

    private final List<String> rejected = Collections.synchronizedList(new ArrayList<>());
    /** How far the pipeline's clock (System.currentTimeMillis) runs ahead: a waiting step may advance it. */
    private volatile long clockOffsetMillis;
    private volatile RejectedAccess firstRefusal;

    /** Time passes for the pipeline, as while an input waits for its timeout. */
    public void advanceClock(long millis) {
        clockOffsetMillis += millis;
    }

    /** The signatures refused so far, in order, each once. */
    public List<String> rejected() {
        return new ArrayList<>(new LinkedHashSet<>(rejected));
    }

    @Override
    public Object onMethodCall(Invoker invoker, Object receiver, String method, Object... args) throws Throwable {
        if (!trusted(receiver) && !operator(receiver, method, args)) {
            check(methodSignature(receiver, method, args), receiver);
        }
        return invoker.call(receiver, method, args);
    }

    @Override
    public Object onStaticCall(Invoker invoker, Class receiver, String method, Object... args) throws Throwable {
        if (!sandboxed(receiver)) {
            check(staticSignature(receiver, method, args));
        }
        if (receiver == System.class && "currentTimeMillis".equals(method) && args.length == 0) {
            return System.currentTimeMillis() + clockOffsetMillis;
        }
        return invoker.call(receiver, method, args);
    }

    @Override
    public Object onNewInstance(Invoker invoker, Class receiver, Object... args) throws Throwable {
        // Script instances (the library's vars) are made by Jenkins itself, never by the library.
        if (!sandboxed(receiver) && !Script.class.isAssignableFrom(receiver)) {
            check(constructorSignature(receiver, args));
        }
        return invoker.call(receiver, null, args);
    }

    @Override
    public Object onGetProperty(Invoker invoker, Object receiver, String property) throws Throwable {
        if (!trusted(receiver)) {
            check(getterSignature(receiver, property));
        }
        return invoker.call(receiver, property);
    }

    @Override
    public Object onSetProperty(Invoker invoker, Object receiver, String property, Object value) throws Throwable {
        if (!trusted(receiver)) {
            check(setterSignature(receiver, property, value));
        }
        return invoker.call(receiver, property, value);
    }

    @Override
    public Object onGetAttribute(Invoker invoker, Object receiver, String attribute) throws Throwable {
        if (!trusted(receiver)) {
            check(fieldSignature(receiver, attribute));
        }
        return invoker.call(receiver, attribute);
    }

    @Override
    public Object onSetAttribute(Invoker invoker, Object receiver, String attribute, Object value) throws Throwable {
        if (!trusted(receiver)) {
            check(fieldSignature(receiver, attribute));
        }
        return invoker.call(receiver, attribute, value);
    }

    private void check(List<String> candidates) {
        if (candidates.isEmpty()) {
            return;
        }
        for (String signature : candidates) {
            if (BLACKLIST.contains(signature)) {
                refuse(signature);
            }
        }
        for (String signature : candidates) {
            if (WHITELIST.contains(signature)) {
                return;
            }
        }
        refuse(candidates.get(0));
    }

    private void check(List<String> candidates, Object receiver) {
        try {
            check(candidates);
        } catch (RejectedAccess refused) {
            if (Boolean.getBoolean("day0.jenkins.sandboxDebug")) {
                System.err.println("sandbox: " + refused.getMessage() + " on " + receiver.getClass());
            }
            throw refused;
        }
    }

    private void refuse(String signature) {
        rejected.add(signature);
        RejectedAccess refusal = new RejectedAccess(signature);
        if (firstRefusal == null) {
            firstRefusal = refusal;
        }
        throw refusal;
    }

    /** The first refusal, with the stack that shows where the library made the call; null when there was none. */
    public RejectedAccess firstRefusal() {
        return firstRefusal;
    }

    /**
     * Arithmetic, comparison and concatenation of numbers and strings: Groovy operators that a sandboxed Pipeline
     * may always use (script-security allows them without a listed signature).
     */
    private static boolean operator(Object receiver, String method, Object[] args) {
        if (!(receiver instanceof Number || receiver instanceof CharSequence) || !OPERATORS.contains(method)
                || args.length != 1) {
            return false;
        }
        return args[0] == null || args[0] instanceof Number || args[0] instanceof CharSequence;
    }

    private static final Set<String> OPERATORS = new HashSet<>(java.util.Arrays.asList("plus", "minus", "multiply",
            "div", "intdiv", "mod", "power", "compareTo"));

    /** The pipeline's own objects: what the sandbox compiled, and the script instances steps are called on. */
    private static boolean trusted(Object receiver) {
        return receiver instanceof Script || (receiver instanceof Class && sandboxed((Class<?>) receiver))
                || (receiver != null && sandboxed(receiver.getClass()));
    }

    private static boolean sandboxed(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            if (c.getClassLoader() instanceof GroovyClassLoader
                    || c.getClassLoader() instanceof GroovyClassLoader.InnerLoader) {
                return true;
            }
        }
        return false;
    }

    private static List<String> methodSignature(Object receiver, String name, Object[] args) {
        if (receiver == null) {
            return Collections.emptyList();
        }
        MetaClass metaClass = InvokerHelper.getMetaClass(receiver);
        MetaMethod picked = metaClass.pickMethod(name, MetaClassHelper.convertToTypeArray(args));
        if (picked == null) {
            // No such method: the call itself fails, in Jenkins as here.
            return Collections.emptyList();
        }
        if (picked instanceof CachedMethod) {
            Method method = ((CachedMethod) picked).getCachedMethod();
            if (Modifier.isStatic(method.getModifiers())) {
                return Collections.singletonList("staticMethod " + name(method.getDeclaringClass()) + " " + name
                        + params(method.getParameterTypes()));
            }
            return overridden(receiver.getClass(), method);
        }
        return extensionSignatures(picked);
    }

    /** A Groovy extension method (DefaultGroovyMethods and friends): its static signature on the holder class. */
    private static List<String> extensionSignatures(MetaMethod picked) {
        Class<?> self = picked.getDeclaringClass().getTheClass();
        Class<?>[] rest = picked.getNativeParameterTypes();
        List<String> candidates = new ArrayList<>();
        for (Class<?> holder : EXTENSION_HOLDERS) {
            for (Method method : holder.getMethods()) {
                Class<?>[] types = method.getParameterTypes();
                if (Modifier.isStatic(method.getModifiers()) && method.getName().equals(picked.getName())
                        && types.length == rest.length + 1 && types[0] == self) {
                    boolean same = true;
                    for (int i = 0; i < rest.length; i++) {
                        same &= types[i + 1] == rest[i];
                    }
                    if (same) {
                        candidates.add("staticMethod " + name(holder) + " " + method.getName() + params(types));
                    }
                }
            }
        }
        if (candidates.isEmpty()) {
            candidates.add("method " + name(self) + " " + picked.getName() + params(rest));
        }
        return candidates;
    }

    /**
     * The signature of the method as declared by the receiver's class and by every supertype that declares it or a
     * method it overrides (Integer.compareTo(Integer) overrides Comparable.compareTo(Object)).
     */
    private static List<String> overridden(Class<?> receiverType, Method method) {
        List<String> candidates = new ArrayList<>();
        Deque<Class<?>> todo = new ArrayDeque<>();
        Set<Class<?>> seen = new HashSet<>();
        todo.add(receiverType);
        todo.add(method.getDeclaringClass());
        Class<?>[] wanted = method.getParameterTypes();
        while (!todo.isEmpty()) {
            Class<?> type = todo.poll();
            if (!seen.add(type)) {
                continue;
            }
            for (Method declared : type.getDeclaredMethods()) {
                if (declared.getName().equals(method.getName()) && overrides(wanted, declared.getParameterTypes())) {
                    candidates.add("method " + name(type) + " " + method.getName()
                            + params(declared.getParameterTypes()));
                }
            }
            if (type.getSuperclass() != null) {
                todo.add(type.getSuperclass());
            }
            Collections.addAll(todo, type.getInterfaces());
        }
        return candidates;
    }

    private static boolean overrides(Class<?>[] wanted, Class<?>[] declared) {
        if (wanted.length != declared.length) {
            return false;
        }
        for (int i = 0; i < wanted.length; i++) {
            if (!declared[i].isAssignableFrom(wanted[i])) {
                return false;
            }
        }
        return true;
    }

    private static List<String> staticSignature(Class<?> type, String name, Object[] args) {
        List<String> candidates = new ArrayList<>();
        for (Method method : type.getMethods()) {
            if (Modifier.isStatic(method.getModifiers()) && method.getName().equals(name)
                    && applicable(method.getParameterTypes(), args)) {
                candidates.add("staticMethod " + name(type) + " " + name + params(method.getParameterTypes()));
            }
        }
        return candidates;
    }

    private static List<String> constructorSignature(Class<?> type, Object[] args) {
        List<String> candidates = new ArrayList<>();
        for (Constructor<?> constructor : type.getConstructors()) {
            if (applicable(constructor.getParameterTypes(), args)) {
                candidates.add("new " + name(type) + params(constructor.getParameterTypes()));
            }
        }
        if (candidates.isEmpty()) {
            candidates.add("new " + name(type) + params(MetaClassHelper.convertToTypeArray(args)));
        }
        return candidates;
    }

    private static List<String> getterSignature(Object receiver, String property) {
        if (receiver == null || receiver.getClass().isArray()) {
            return Collections.emptyList();
        }
        if (receiver instanceof Class) {
            Class<?> type = (Class<?>) receiver;
            return sandboxed(type) ? Collections.emptyList()
                    : Collections.singletonList("staticField " + name(type) + " " + property);
        }
        if (receiver instanceof Map) {
            return Collections.singletonList("method java.util.Map get java.lang.Object");
        }
        String capitalized = Character.toUpperCase(property.charAt(0)) + property.substring(1);
        for (String accessor : new String[] {"get" + capitalized, "is" + capitalized}) {
            try {
                Method getter = receiver.getClass().getMethod(accessor);
                return overridden(receiver.getClass(), getter);
            } catch (NoSuchMethodException noGetter) {
                // Try the next form, then a field.
            }
        }
        return fieldSignature(receiver, property);
    }

    private static List<String> setterSignature(Object receiver, String property, Object value) {
        if (receiver instanceof Map) {
            return Collections.singletonList("method java.util.Map put java.lang.Object java.lang.Object");
        }
        if (receiver == null) {
            return Collections.emptyList();
        }
        String setter = "set" + Character.toUpperCase(property.charAt(0)) + property.substring(1);
        for (Method method : receiver.getClass().getMethods()) {
            if (method.getName().equals(setter) && applicable(method.getParameterTypes(), new Object[] {value})) {
                return overridden(receiver.getClass(), method);
            }
        }
        return fieldSignature(receiver, property);
    }

    private static List<String> fieldSignature(Object receiver, String field) {
        Class<?> type = receiver instanceof Class ? (Class<?>) receiver : receiver.getClass();
        String kind = receiver instanceof Class ? "staticField " : "field ";
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field declared = c.getDeclaredField(field);
                return Collections.singletonList(kind + name(declared.getDeclaringClass()) + " " + field);
            } catch (NoSuchFieldException notHere) {
                // Look further up.
            }
        }
        return Collections.singletonList(kind + name(type) + " " + field);
    }

    private static boolean applicable(Class<?>[] types, Object[] args) {
        if (types.length != args.length) {
            return false;
        }
        for (int i = 0; i < types.length; i++) {
            Class<?> type = types[i].isPrimitive() ? org.codehaus.groovy.reflection.ReflectionCache.autoboxType(types[i]) : types[i];
            if (args[i] == null ? types[i].isPrimitive() : !type.isInstance(args[i])) {
                return false;
            }
        }
        return true;
    }

    private static String params(Class<?>[] types) {
        StringBuilder text = new StringBuilder();
        for (Class<?> type : types) {
            text.append(' ').append(name(type));
        }
        return text.toString();
    }

    private static String name(Class<?> type) {
        return type.isArray() ? name(type.getComponentType()) + "[]" : type.getName();
    }

    private static List<Class<?>> holders() {
        List<Class<?>> holders = new ArrayList<>();
        for (String name : new String[] {"org.codehaus.groovy.runtime.DefaultGroovyMethods",
                "org.codehaus.groovy.runtime.StringGroovyMethods", "org.codehaus.groovy.runtime.IOGroovyMethods",
                "org.codehaus.groovy.runtime.ResourceGroovyMethods", "org.codehaus.groovy.runtime.EncodingGroovyMethods",
                "org.codehaus.groovy.runtime.DateGroovyMethods", "org.codehaus.groovy.runtime.ProcessGroovyMethods",
                "org.codehaus.groovy.runtime.SocketGroovyMethods", "org.codehaus.groovy.runtime.XmlGroovyMethods"}) {
            try {
                holders.add(Class.forName(name));
            } catch (ClassNotFoundException absent) {
                // Not in this Groovy version.
            }
        }
        return holders;
    }

    private static Set<String> load(String... lists) {
        Set<String> signatures = new HashSet<>();
        for (String list : lists) {
            try (InputStream in = ScriptSecurityChecker.class.getResourceAsStream(LISTS + list)) {
                if (in == null) {
                    throw new IllegalStateException("missing signature list " + LISTS + list);
                }
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    String entry = line.replaceAll("#.*", "").trim().replaceAll("\\s+", " ");
                    if (!entry.isEmpty()) {
                        signatures.add(entry);
                    }
                }
            } catch (IOException unreadable) {
                throw new IllegalStateException("cannot read " + LISTS + list, unreadable);
            }
        }
        return signatures;
    }
}
